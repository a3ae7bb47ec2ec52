import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PeerHarness
import Testing

/// The rule actions through the built `proxyd run`, with curl: a backend's redirect, deny,
/// return and an HSTS header set by `http-response`; and the same haproxy.cfg run by real
/// HAProxy 2.6 beside proxyd, answering alike.
@Suite("Rule actions end to end", .serialized)
struct RuleActionsEndToEndTests {
    /// The seed's shape: plain HTTP and TLS on one frontend, the backend redirecting what did
    /// not come over TLS, plus the directives this suite proves.
    private static func configuration(plain: Int, tls: Int, certificate: String, server: String, errorPage: String) -> String {
        """
        global
            maxconn 100
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
            errorfile 403 \(errorPage)
        frontend www-http
            bind 127.0.0.1:\(plain)
            bind 127.0.0.1:\(tls) ssl crt \(certificate)
            http-request deny if { path_beg /admin }
            http-request return status 200 content-type "text/plain; charset=utf-8" string "pong" hdr X-Check ok if { path_beg /ping }
            http-request return status 418 content-type text/plain string "short and stout" if { path_beg /teapot }
            http-response set-header Strict-Transport-Security "max-age=63072000" if { ssl_fc }
            default_backend www-backend
        backend www-backend
            redirect scheme https code 301 if !{ ssl_fc }
            http-response del-header X-Served-By
            server task1 \(server)

        """
    }

    /// The operator's page for 403 (HAProxy's errorfile format: a complete HTTP response).
    private static let forbiddenPage = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nCache-Control: no-cache\r\nContent-Length: 26\r\n\r\n<h1>Go away, politely</h1>"

    /// A throwaway combined PEM (certificate + key) in `directory`, made by openssl.
    private static func certificate(in directory: URL) async throws -> String {
        let openssl = try ExternalTool.locate("openssl", package: "openssl")
        let result = try await ExternalTool.run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "cert.pem",
        ], in: directory)
        try #require(result.status == 0, "openssl req failed: \(result.err)")
        let combined = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
            + String(contentsOf: directory.appendingPathComponent("key.pem"), encoding: .utf8)
        let path = directory.appendingPathComponent("site.pem")
        try combined.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    /// One response as curl saw it: status, headers (names lowercased, last value wins) and body.
    private struct Answer: Equatable, CustomStringConvertible {
        var status: Int
        var headers: [String: String]
        var body: String

        var description: String { "\(status) \(headers) \(body.debugDescription)" }
    }

    private static func fetch(_ url: String) async throws -> Answer {
        let result = try await Curl.run(["-k", "-i", url])
        try #require(result.status == 0, "curl \(url): \(result.err)")
        return parse(result.out)
    }

    private static func parse(_ output: String) -> Answer {
        let text = output.replacingOccurrences(of: "\r\n", with: "\n")
        let split = text.range(of: "\n\n") ?? text.endIndex..<text.endIndex
        let lines = text[..<split.lowerBound].split(separator: "\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    /// Asks until the listener answers (a peer that is still starting refuses connections).
    private static func fetchWhenUp(_ url: String) async throws -> Answer? {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let result = try await Curl.run(["-k", "-i", url])
            if result.status == 0 { return parse(result.out) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    private static func startProxy(_ fixture: ProxyFixture) async throws -> (plain: Int, tls: Int) {
        let plain = try await FreePort.udpAndTCP(), tls = try await FreePort.udpAndTCP()
        let certificate = try await certificate(in: fixture.directory)
        let server = try await fixture.startTask(name: "task-1")
        let page = fixture.directory.appendingPathComponent("403.http")
        try Self.forbiddenPage.write(to: page, atomically: true, encoding: .utf8)
        try await fixture.startProxy(yaml: configuration(plain: plain, tls: tls, certificate: certificate, server: server, errorPage: page.path),
                                     fileName: "haproxy.cfg")
        return (plain, tls)
    }

    @Test("the backend's redirect answers plain HTTP with 301 to https; HTTPS goes through with the HSTS header curl sees")
    func backendRedirectAndHSTS() async throws {
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let (plain, tls) = try await Self.startProxy(fixture)

        let redirect = try await Self.fetch("http://127.0.0.1:\(plain)/a/b?c=d")
        #expect(redirect.status == 301)
        #expect(redirect.headers["location"] == "https://127.0.0.1:\(plain)/a/b?c=d")
        #expect(redirect.headers["content-length"] == "0" && redirect.body.isEmpty)
        #expect(redirect.headers["strict-transport-security"] == nil)

        let page = try await Self.fetch("https://127.0.0.1:\(tls)/a/b?c=d")
        #expect(page.status == 200)
        #expect(page.body.hasPrefix("hello from task-1\nGET /a/b?c=d HTTP/1.1\n"), "\(page)")
        #expect(page.headers["strict-transport-security"] == "max-age=63072000")
        // The backend's del-header applied too (hello-backend always sends X-Served-By).
        #expect(page.headers["x-served-by"] == nil)
    }

    @Test("return answers with the configured status, content type, headers and body; no HSTS on proxyd's own answers")
    func returnResponse() async throws {
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let (plain, tls) = try await Self.startProxy(fixture)

        let ping = try await Self.fetch("https://127.0.0.1:\(tls)/ping")
        #expect(ping == Answer(status: 200, headers: ["x-check": "ok", "content-type": "text/plain; charset=utf-8", "content-length": "4"], body: "pong"))
        let teapot = try await Self.fetch("http://127.0.0.1:\(plain)/teapot")
        #expect(teapot == Answer(status: 418, headers: ["content-type": "text/plain", "content-length": "15"], body: "short and stout"))
    }

    @Test("deny answers 403 and the backend sees nothing; an allowed request reaches it")
    func denyReachesNoBackend() async throws {
        let recorder = try await ConnectionRecorder.start()
        defer { recorder.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        try await fixture.startProxy(yaml: """
            backends:
              app:
                servers: ["127.0.0.1:\(recorder.port)"]
                rules:
                  - deny: 403
                    when: { path_prefix: [/admin] }
            listeners:
              - bind: LISTEN
                backend: app
                rules:
                  - deny: 429
                    when: { path_prefix: [/slow] }
            """)
        let denied = try await Self.fetch("http://\(fixture.address)/admin/users")
        #expect(denied.status == 403)
        #expect(denied.body.contains("Request forbidden by administrative rules."))
        #expect(try await Self.fetch("http://\(fixture.address)/slow").status == 429)
        #expect(recorder.connections == 0)
        #expect(try await Self.fetch("http://\(fixture.address)/public").status == 200)
        #expect(recorder.connections == 1)
    }

    @Test("real HAProxy 2.6 and proxyd on the same haproxy.cfg: the backend redirect, return, deny and HSTS answer alike")
    func sideBySideWithHAProxy() async throws {
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let ours = try await Self.startProxy(fixture)
        let haproxyPlain = try await FreePort.udpAndTCP(), haproxyTLS = try await FreePort.udpAndTCP()
        let file = fixture.directory.appendingPathComponent("haproxy-peer.cfg")
        let certificate = fixture.directory.appendingPathComponent("site.pem").path
        try Self.configuration(plain: haproxyPlain, tls: haproxyTLS, certificate: certificate, server: fixture.taskAddresses[0],
                               errorPage: fixture.directory.appendingPathComponent("403.http").path)
            .write(to: file, atomically: true, encoding: .utf8)
        let haproxy = try await HAProxyPeer.start(configuration: file.path, accepting: [haproxyPlain, haproxyTLS])
        defer { haproxy.stop() }
        let up = try await Self.fetchWhenUp("http://127.0.0.1:\(haproxyPlain)/")
        try #require(up?.status == 301, "haproxy: \(haproxy.capturedOutput)")

        // The redirect: status, Location (the port differs, as each listens on its own) and body.
        let theirs = try await Self.fetch("http://127.0.0.1:\(haproxyPlain)/a/b?c=d")
        let mine = try await Self.fetch("http://127.0.0.1:\(ours.plain)/a/b?c=d")
        #expect(theirs.status == 301 && mine.status == 301)
        #expect(theirs.headers["location"] == "https://127.0.0.1:\(haproxyPlain)/a/b?c=d")
        #expect(mine.headers["location"] == "https://127.0.0.1:\(ours.plain)/a/b?c=d")
        #expect(mine.body == theirs.body && mine.headers["content-length"] == theirs.headers["content-length"])
        #expect(mine.headers["cache-control"] == theirs.headers["cache-control"])

        // return: every field and the body, over both listeners.
        for (path, tls) in [("/ping", true), ("/ping", false), ("/teapot", false)] {
            let theirs = try await Self.fetch("\(tls ? "https" : "http")://127.0.0.1:\(tls ? haproxyTLS : haproxyPlain)\(path)")
            let mine = try await Self.fetch("\(tls ? "https" : "http")://127.0.0.1:\(tls ? ours.tls : ours.plain)\(path)")
            #expect(mine == theirs, "\(path) over \(tls ? "TLS" : "plain HTTP")")
        }

        // deny: the operator's errorfile for 403, from both.
        let theirDenial = try await Self.fetch("https://127.0.0.1:\(haproxyTLS)/admin")
        let myDenial = try await Self.fetch("https://127.0.0.1:\(ours.tls)/admin")
        #expect(theirDenial.status == 403 && myDenial.status == 403)
        #expect(theirDenial.body == "<h1>Go away, politely</h1>")
        #expect(myDenial.body == theirDenial.body && myDenial.headers["content-type"] == theirDenial.headers["content-type"])

        // A forwarded response over TLS: HSTS added, X-Served-By removed, by both.
        let theirPage = try await Self.fetch("https://127.0.0.1:\(haproxyTLS)/page")
        let myPage = try await Self.fetch("https://127.0.0.1:\(ours.tls)/page")
        #expect(theirPage.status == 200 && myPage.status == 200)
        #expect(myPage.headers["strict-transport-security"] == theirPage.headers["strict-transport-security"])
        #expect(theirPage.headers["strict-transport-security"] == "max-age=63072000")
        #expect(myPage.headers["x-served-by"] == nil && theirPage.headers["x-served-by"] == nil)
    }
}

/// A backend that answers `200 ok` to every request and counts the connections it accepted:
/// a request that never reaches the backend leaves the count alone.
private final class ConnectionRecorder: Sendable {
    private let channel: any Channel
    private let accepted: NIOLockedValueBox<Int>

    private init(channel: any Channel, accepted: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.accepted = accepted
    }

    var port: Int { channel.localAddress?.port ?? 0 }
    var connections: Int { accepted.withLockedValue { $0 } }

    static func start() async throws -> ConnectionRecorder {
        let accepted = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.withLockedValue { $0 += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(OKHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ConnectionRecorder(channel: channel, accepted: accepted)
    }

    func stop() { channel.close(promise: nil) }
}

/// Answers each request head (a read holding its blank line) with `200 ok`.
private final class OKHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var pending = ""

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += String(buffer: unwrapInboundIn(data))
        while let end = pending.range(of: "\r\n\r\n") {
            pending = String(pending[end.upperBound...])
            let reply = context.channel.allocator.buffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        }
    }
}
