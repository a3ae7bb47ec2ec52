import Foundation
import Testing

/// A chunked request whose bad first chunk line comes in the same read as its head: proxyd
/// refuses it with 400 and nothing of it reaches the backend, whether the backend connection
/// would be new or an idle pooled one (which used to get the head before the 400).
@Suite("Early chunk refusal end to end", .serialized)
struct EarlyChunkRefusalEndToEndTests {
    static let badRequest = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"

    @Test("the client gets 400 and the backend receives no byte of the request", arguments: [0, 4])
    func nothingReachesTheBackend(warmConnections: Int) async throws {
        let backend = try CapturingBackend()
        defer { backend.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        try await fixture.startProxy(yaml: """
            backends:
              capture:
                servers: ["127.0.0.1:\(backend.port)"]
                pool: { max_idle_per_endpoint: 8 }
                outlier_detection: { consecutive_failures: 0 }
            listeners:
              - name: web
                bind: LISTEN
                backend: capture
            timeouts: { connect: 2s, server: 5s }
            """)
        // Warm connections: a GET on each of several client connections leaves an idle backend
        // connection in the pool of every event loop, ready to be reused at once.
        for _ in 0..<warmConnections {
            let socket = try fixture.connect()
            try socket.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n")
            let reply = try await socket.receive(until: "\r\n\r\n", timeout: .seconds(10))
            #expect(reply.hasPrefix("HTTP/1.1 200 OK"), "\(reply)")
            socket.close()
        }

        let socket = try fixture.connect()
        try socket.send(Self.badRequest)
        let reply = try await socket.receiveAll(timeout: .seconds(10))
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(reply)")

        // Stopping proxyd closes every backend connection; the backend then has them all.
        try await Task.sleep(for: .milliseconds(300))
        fixture.stop()
        backend.waitUntilIdle(timeout: .seconds(10))
        let received = backend.captures.map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
        #expect(!received.contains("/upload"), "the backend received: \(received)")
        #expect(received.components(separatedBy: "GET /warm").count - 1 == warmConnections)
        if warmConnections == 0 { #expect(received.utf8.isEmpty, "the backend received: \(received)") }
    }
}
