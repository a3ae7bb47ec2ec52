import Foundation
import PeerHarness
import Testing

/// Clients that send their requests and then shut their write side (`printf 'GET …' | nc`,
/// scripted probes; RFC 9112 §9.6), through proxyd and through real HAProxy 2.6 in front of the
/// same task: both must give the same answers, and proxyd the ones written here.
@Suite("Half-closed clients end to end, beside HAProxy", .serialized)
struct HalfCloseEndToEndTests {
    /// What a client sends before its FIN, and the statuses it must get before the close.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: String
        var statuses: [Int]
        /// Another answer HAProxy gives in some runs (its timing decides), if any.
        var haproxyAlso: [Int]? = nil
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "one GET", bytes: "GET /one HTTP/1.1\r\nHost: a\r\n\r\n", statuses: [200]),
        Case(name: "two pipelined GETs", bytes: "GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n", statuses: [200, 200],
             // HAProxy 2.6 sometimes closes after the first answer when the FIN is read with
             // the pipelined pair (seen in the full suite under load; the seed's side-by-side
             // test saw the same). proxyd must answer both, always.
             haproxyAlso: [200]),
        Case(name: "an HTTP/1.0 GET", bytes: "GET /one HTTP/1.0\r\n\r\n", statuses: [200]),
        Case(name: "a FIN inside a request head", bytes: "GET /one HTTP/1.1\r\nHost: a\r\n", statuses: [400]),
        Case(name: "a GET, then a FIN inside the next head", bytes: "GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHo", statuses: [200, 400],
             // HAProxy 2.6 sometimes closes after the first answer without the 400 (seen under
             // load): the truncated head and the FIN are read apart or together.
             haproxyAlso: [200]),
        Case(name: "a FIN inside a request body", bytes: "POST /one HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", statuses: []),
    ]

    /// Sends `bytes`, shuts the write side, and reads until the server closes (or 10 s pass).
    static func exchange(_ bytes: String, port: Int) async throws -> (statuses: [Int], reply: String, closed: Bool) {
        let socket = try TestSocket(host: "127.0.0.1", port: port)
        try socket.send(bytes)
        socket.shutdownWrite()
        let reply = try await socket.receiveAll(timeout: .seconds(10))
        let closed = socket.isClosedByPeer
        let statuses = reply.matches(of: #/HTTP/1\.[01] ([0-9]{3}) /#).compactMap { Int($0.output.1) }
        return (statuses, reply, closed)
    }

    /// Real HAProxy forwarding to `task` on a port of its own, stopped by PID with the test.
    static func startHAProxy(backend task: String, in directory: URL) async throws -> (PeerProcess, Int) {
        let port = try await FreePort.udpAndTCP()
        let file = directory.appendingPathComponent("haproxy.cfg")
        try """
            global
                maxconn 100
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend web
                bind 127.0.0.1:\(port)
                default_backend hello
            backend hello
                server task-1 \(task)

            """.write(to: file, atomically: true, encoding: .utf8)
        return (try await HAProxyPeer.start(configuration: file.path, accepting: [port]), port)
    }

    @Test("every request completed before the FIN is answered, in order, then the connection closes; as HAProxy does", arguments: cases)
    func halfClose(_ testCase: Case) async throws {
        let fixture = try await ProxyFixture.running(tasks: 1)
        defer { fixture.stop() }
        let (haproxy, haproxyPort) = try await Self.startHAProxy(backend: fixture.taskAddresses[0], in: fixture.directory)
        defer { haproxy.stop() }
        let proxydPort = Int(fixture.address.split(separator: ":").last ?? "") ?? 0

        let proxyd = try await Self.exchange(testCase.bytes, port: proxydPort)
        let reference = try await Self.exchange(testCase.bytes, port: haproxyPort)
        #expect(proxyd.statuses == testCase.statuses, "proxyd answered: \(proxyd.reply)")
        #expect(proxyd.closed, "proxyd did not close after its last answer")
        #expect(reference.statuses == testCase.statuses || reference.statuses == testCase.haproxyAlso, "HAProxy answered: \(reference.reply)")
        // Pipelined requests are answered in order (the task echoes each request line).
        if testCase.statuses == [200, 200] {
            let order = proxyd.reply.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("GET /") }
            #expect(order == ["GET /one HTTP/1.1", "GET /two HTTP/1.1"])
        }
    }
}
