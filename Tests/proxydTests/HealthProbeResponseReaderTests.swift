import Testing
@testable import proxyd

/// The HTTP probe's request bytes and how its response is judged, without sockets.
@Suite("Health probe request and response")
struct HealthProbeResponseReaderTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("the request names the method, path and endpoint as Host, identifies itself and asks to close")
    func requestBytes() {
        let request = HealthCheckRequest(method: "GET", path: "/health", host: nil)
        #expect(String(decoding: request.bytes(address: "10.0.1.7", port: 32768), as: UTF8.self)
            == "GET /health HTTP/1.1\r\nHost: 10.0.1.7:32768\r\nUser-Agent: proxyd-health-check\r\nConnection: close\r\n\r\n")
    }

    @Test("a configured Host replaces the endpoint address; IPv6 literals are bracketed; port 80 is left out")
    func hostVariants() {
        let configured = HealthCheckRequest(method: "HEAD", path: "/ping", host: "app.internal")
        #expect(String(decoding: configured.bytes(address: "10.0.0.1", port: 8080), as: UTF8.self).hasPrefix("HEAD /ping HTTP/1.1\r\nHost: app.internal\r\n"))
        #expect(HealthCheckRequest.hostHeader(address: "fd00::7", port: 8080) == "[fd00::7]:8080")
        #expect(HealthCheckRequest.hostHeader(address: "10.0.0.1", port: 80) == "10.0.0.1")
    }

    @Test("a status in the expected range passes, even when the head arrives a byte at a time")
    func passesInRange() {
        var reader = HealthProbeResponseReader(expectedStatus: 200...399)
        let response = Self.bytes("HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n")
        for byte in response.dropLast() { #expect(reader.read([byte]) == .needMore) }
        #expect(reader.read([response.last ?? 0]) == .done(.passed(status: 204)))
    }

    @Test("a status outside the range fails and names the status")
    func failsOutOfRange() {
        var reader = HealthProbeResponseReader(expectedStatus: 200...399)
        #expect(reader.read(Self.bytes("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"))
            == .done(.failed(.unexpectedStatus(503, expected: 200...399))))
        #expect(ProbeFailure.unexpectedStatus(503, expected: 200...200).description == "status 503 (expected 200)")
    }

    @Test("interim 1xx responses are skipped; the final status decides")
    func skipsInterim() {
        var reader = HealthProbeResponseReader(expectedStatus: 200...200)
        #expect(reader.read(Self.bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) == .done(.passed(status: 200)))
    }

    @Test("bytes that are not an HTTP/1.x response fail as malformed, with HTTPCore's reason")
    func malformed() {
        var reader = HealthProbeResponseReader(expectedStatus: 200...399)
        guard case .done(.failed(.malformedResponse(let reason))) = reader.read(Self.bytes("SSH-2.0-OpenSSH_9.2\r\n\r\n")) else {
            Issue.record("expected a malformed-response failure")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test("a close before the head is complete fails as closed before a response")
    func closedEarly() {
        var reader = HealthProbeResponseReader(expectedStatus: 200...399)
        #expect(reader.read(Self.bytes("HTTP/1.1 200 OK\r\n")) == .needMore)
        #expect(reader.endOfInput() == .failed(.closedBeforeResponse))
    }
}
