import DNSWire
import Foundation
import NIOPosix
import PeerHarness
import Testing
@testable import proxyd

/// `errorfile` end to end: proxyd and real HAProxy 2.6 run the same haproxy.cfg — a frontend
/// whose requests find no backend, and a backend whose SRV name has no task (the seed's
/// "no task running" case) — and answer with the configured pages, checked with curl.
@Suite("error pages: end to end, beside HAProxy", .serialized)
struct ErrorPageEndToEndTests {
    /// The backend's own 503 page: HTTP/1.1 with a length (HAProxy keeps such connections).
    static let backendPage = "HTTP/1.1 503 No Task\r\nContent-Type: text/plain\r\nCache-Control: no-cache\r\nContent-Length: 20\r\nX-Page: backend\r\n\r\nno task is running.\n"

    /// The shared haproxy.cfg: the frontend `edge` sends only `/app` to `app`; `app` discovers
    /// `_none._tcp.internal`, which the test's DNS server does not know (NXDOMAIN).
    static func configuration(edgePort: Int, dnsPort: Int, backendPage: String) -> String {
        """
        global
            maxconn 100
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s
            errorfile 503 \(ErrorPageFiles.debian(503))
            errorfile 502 \(ErrorPageFiles.debian(502))
        resolvers dns
            nameserver ns1 127.0.0.1:\(dnsPort)
            resolve_retries 1
            timeout retry 500ms
        frontend edge
            bind 127.0.0.1:\(edgePort)
            use_backend app if { path_beg /app }
        backend app
            errorfile 503 \(backendPage)
            server-template task 2 _none._tcp.internal resolvers dns init-addr none

        """
    }

    /// One response as curl received it: the head's lines and the body.
    struct Answer: Equatable, CustomStringConvertible {
        var statusLine: String
        /// Header fields, names lowercased (HAProxy writes them lowercased), without
        /// `Connection` (each proxy decides the connection's fate itself).
        var fields: [String]
        var body: String
        var description: String { "\(statusLine) \(fields) \(body.debugDescription)" }

        init(raw: String) {
            let parts = raw.components(separatedBy: "\r\n\r\n")
            let head = parts.first?.components(separatedBy: "\r\n") ?? []
            statusLine = head.first ?? ""
            fields = head.dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return line }
                let name = line[..<colon].lowercased()
                return name == "connection" ? nil : name + ":" + line[line.index(after: colon)...]
            }.sorted()
            body = parts.dropFirst().joined(separator: "\r\n\r\n")
        }
    }

    /// GET `url` until something answers (the server may still be starting), as curl printed it
    /// with `-i`: the head as received, then the body.
    private func get(_ url: String, deadline: Duration = .seconds(10)) async throws -> String {
        let end = ContinuousClock.now + deadline
        while true {
            let result = try await Curl.run(["-i", url])
            if result.status == 0 { return result.out }
            guard ContinuousClock.now < end else {
                Issue.record("no answer from \(url): \(result.err)")
                return ""
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test("proxyd and HAProxy answer a request with no backend with the frontend's errorfile, and a backend without tasks with the backend's")
    func sideBySide() async throws {
        let dns = DemoDNSServer(origin: try DomainName("internal"))
        let dnsPort = try await dns.start(group: MultiThreadedEventLoopGroup.singleton)
        let directory = try ErrorPageFiles.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = try ErrorPageFiles.write(Self.backendPage, to: "backend-503.http", in: directory)
        let proxydPort = try await FreePort.udpAndTCP(), haproxyPort = try await FreePort.udpAndTCP()
        let proxydConfig = try ErrorPageFiles.write(Self.configuration(edgePort: proxydPort, dnsPort: dnsPort, backendPage: page), to: "proxyd.cfg", in: directory)
        let haproxyConfig = try ErrorPageFiles.write(Self.configuration(edgePort: haproxyPort, dnsPort: dnsPort, backendPage: page), to: "haproxy.cfg", in: directory)

        let proxyd = try PeerProcess(TestPaths.proxydBinary, ["run", "--config", proxydConfig, "--threads", "1"], readStandardError: true)
        let reference = try await HAProxyPeer.start(configuration: haproxyConfig, accepting: [haproxyPort])
        defer {
            proxyd.stop()
            reference.stop()
        }
        _ = try await proxyd.waitForLine(containing: "listening")

        // No backend: the frontend's page (the defaults' Debian 503), byte for byte from proxyd.
        let proxydFront = try await get("http://127.0.0.1:\(proxydPort)/")
        let haproxyFront = try await get("http://127.0.0.1:\(haproxyPort)/")
        try #require(reference.process.isRunning, "haproxy exited: \(reference.capturedOutput)")
        #expect(proxydFront == String(decoding: try ErrorPageFiles.bytes(ErrorPageFiles.debian(503)), as: UTF8.self))
        #expect(Answer(raw: proxydFront) == Answer(raw: haproxyFront))

        // The backend was chosen and has no task: the backend's own page.
        let proxydBack = try await get("http://127.0.0.1:\(proxydPort)/app/x")
        let haproxyBack = try await get("http://127.0.0.1:\(haproxyPort)/app/x")
        // proxyd closes the connection after a 503 it answers before reading the whole request
        // (the exchange's rule, page or not), so the page says `Connection: close`.
        #expect(proxydBack == Self.backendPage.replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n"))
        #expect(Answer(raw: proxydBack) == Answer(raw: haproxyBack))
        #expect(Answer(raw: haproxyBack).statusLine == "HTTP/1.1 503 No Task")

        // HEAD: the page's head alone, from both.
        let proxydHead = try await Curl.run(["-sI", "http://127.0.0.1:\(proxydPort)/"])
        let haproxyHead = try await Curl.run(["-sI", "http://127.0.0.1:\(haproxyPort)/"])
        #expect(Answer(raw: proxydHead.out) == Answer(raw: haproxyHead.out))
        #expect(Answer(raw: proxydHead.out).body.isEmpty && Answer(raw: proxydHead.out).statusLine == "HTTP/1.0 503 Service Unavailable")
        await dns.stop()
    }
}
