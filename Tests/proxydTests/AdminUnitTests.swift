import Foundation
import LoadBalance
import Logging
import Prometheus
import Testing

@testable import proxyd

/// The admin pieces on their own: overrides, the token check, the writer, the exposition.
@Suite("admin listener parts")
struct AdminUnitTests {
    static let location = SourceLocation(file: "test.yaml", line: 1, column: 1)

    static func group() throws -> BackendGroup {
        try BackendGroup(configuration: BackendConfiguration(name: "app", membership: .srv(.init(name: "_app.internal", resolver: "dns", addressPreference: .ipv4)), location: location))
    }

    static func endpoints(_ ports: [Int], weight: UInt16 = 1) -> [LoadBalance.Endpoint] {
        ports.map { LoadBalance.Endpoint(address: "10.0.0.1", port: $0, weight: weight, target: "task-\($0).internal") }
    }

    @Test("a drained endpoint stays out of rotation across DNS updates until it is enabled")
    func drainSurvivesDNSUpdates() throws {
        let group = try Self.group()
        try group.setMembership(Self.endpoints([1, 2, 3]))
        #expect(try group.apply(.drain, to: "10.0.0.1:2"))
        // DNS announces it again (with a new weight): still drained.
        try group.setMembership(Self.endpoints([1, 2, 3, 4], weight: 5))
        for _ in 0..<40 {
            let lease = try #require(group.balancer.pick().lease)
            #expect(lease.endpoint.id != "10.0.0.1:2")
            lease.complete(.success)
        }
        #expect(group.membershipSnapshot().drained == ["10.0.0.1:2"])
        #expect(try group.apply(.enable, to: "10.0.0.1:2"))
        var seen: Set<String> = []
        for _ in 0..<40 {
            let lease = try #require(group.balancer.pick().lease)
            seen.insert(lease.endpoint.id)
            lease.complete(.success)
        }
        #expect(seen.contains("10.0.0.1:2"))
        #expect(try group.apply(.drain, to: "10.0.0.9:9") == false)
    }

    @Test("an operator's weight replaces DNS's weight, also after the next DNS update")
    func weightSurvivesDNSUpdates() throws {
        let group = try Self.group()
        try group.setMembership(Self.endpoints([1, 2]))
        #expect(try group.apply(.weight(7), to: "10.0.0.1:1"))
        try group.setMembership(Self.endpoints([1, 2], weight: 2))
        let weights = Dictionary(uniqueKeysWithValues: group.balancer.status().map { ($0.endpoint.id, $0.endpoint.weight) })
        #expect(weights == ["10.0.0.1:1": 7, "10.0.0.1:2": 2])
    }

    @Test("the bearer token must match exactly; scheme is case-insensitive")
    func bearerToken() {
        #expect(AdminRouter.authorized("Bearer abc123", token: "abc123"))
        #expect(AdminRouter.authorized("bearer abc123", token: "abc123"))
        #expect(!AdminRouter.authorized("Bearer abc12", token: "abc123"))
        #expect(!AdminRouter.authorized("Bearer abc1234", token: "abc123"))
        #expect(!AdminRouter.authorized("Basic abc123", token: "abc123"))
        #expect(!AdminRouter.authorized(nil, token: "abc123"))
        #expect(!AdminRouter.authorized("Bearer ", token: "abc123"))
    }

    @Test("loopback binds are recognised; anything else needs a token")
    func loopback() {
        #expect(BindAddress(host: "127.0.0.1", port: 1).isLoopback)
        #expect(BindAddress(host: "127.3.2.1", port: 1).isLoopback)
        #expect(BindAddress(host: "::1", port: 1).isLoopback)
        #expect(BindAddress(host: "localhost", port: 1).isLoopback)
        #expect(!BindAddress(host: "0.0.0.0", port: 1).isLoopback)
        #expect(!BindAddress(host: "", port: 1).isLoopback)
        #expect(!BindAddress(host: "::", port: 1).isLoopback)
        #expect(!BindAddress(host: "10.0.0.1", port: 1).isLoopback)
        #expect(!BindAddress(host: "127.0.0.1.example.com", port: 1).isLoopback)
    }

    static func record(_ target: String) -> AccessLogRecord {
        AccessLogRecord(clientAddress: "127.0.0.1", clientPort: 1, acceptedAtMicros: 0, listener: "web", isTLS: false,
                        backend: "app", endpoint: "10.0.0.1:1", requestHeadMillis: 0, queueMillis: 0, connectMillis: 0,
                        responseMillis: 1, totalMillis: 1, status: 200, bytesSent: 10, terminationState: "----", retries: 0,
                        method: "GET", target: target, version: "HTTP/1.1")
    }

    @Test("reopen() after logrotate moved the file: later lines go to a new file at the path")
    func reopenAfterRotation() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-rotate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("access.log").path
        let writer = try AccessLogWriter(format: .json, path: path, logger: Logger(label: "test"))
        writer.append(Self.record("/before"))
        try await Self.waitUntil { writer.counters.written == 1 }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        writer.reopen()
        writer.append(Self.record("/after"))
        writer.close()
        let rotated = try String(contentsOfFile: path + ".1", encoding: .utf8)
        let fresh = try String(contentsOfFile: path, encoding: .utf8)
        #expect(rotated.contains("\"/before\"") && !rotated.contains("\"/after\""))
        #expect(fresh.contains("\"/after\"") && !fresh.contains("\"/before\""))
    }

    @Test("a writer that cannot write (a full pipe) drops and counts records instead of blocking the caller")
    func dropsWhenBlocked() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[1]) }
        let writer = try AccessLogWriter(format: .httplog, path: "/proc/self/fd/\(fds[1])", capacity: 100, logger: Logger(label: "test"))
        let started = ContinuousClock.now
        let total = 5_000  // far more than a 64 KB pipe and 100 queued records hold
        for index in 0..<total { writer.append(Self.record("/\(index)-" + String(repeating: "x", count: 100))) }
        #expect(ContinuousClock.now - started < .seconds(2), "append must never wait for the disk")
        let dropped = writer.counters.dropped
        #expect(dropped > 0)
        // Unblock: read everything, then the writer finishes what it queued.
        let readEnd = fds[0]
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while read(readEnd, &buffer, buffer.count) > 0 {}
        }
        reader.start()
        writer.close()
        let counters = writer.counters
        #expect(counters.written + counters.dropped == total, "\(counters)")
    }

    @Test("the exposition of folded loop counters parses as Prometheus text, histogram included")
    func exposition() throws {
        let metrics = LoopMetrics(backendNames: ["app"])
        metrics.record(backend: 1, endpoint: "10.0.0.1:1", status: 200, durationNanoseconds: 3_000_000, retries: 0, bytes: 100)
        metrics.record(backend: 1, endpoint: "10.0.0.1:1", status: 503, durationNanoseconds: 40_000_000_000, retries: 2, bytes: 10)
        metrics.record(backend: 0, endpoint: nil, status: 301, durationNanoseconds: 100_000, retries: 0, bytes: 5)
        var total = LoopMetrics.Snapshot(backends: 2)
        total.merge(metrics.snapshot(openConnections: 3))
        total.merge(metrics.snapshot(openConnections: 1))
        let status = ProxyStatus(backends: [], certificates: [
            .init(listener: "https", subject: "CN=a \"quoted\" name", serverNames: ["a"], serialNumber: "01", notAfter: 1_900_000_000),
        ], generatedAt: 0)
        let text = MetricsExposition(registry: PrometheusCollectorRegistry()).render(
            requests: total, backendNames: metrics.backendNames, status: status, dns: [], accessLog: (1, 2, 0))
        let parsed = try PrometheusTextParser(text)
        #expect(parsed.value("proxyd_requests_total", ["backend": "app", "code": "200"]) == 2)
        #expect(parsed.value("proxyd_requests_total", ["backend": "app", "code": "503"]) == 2)
        #expect(parsed.value("proxyd_requests_total", ["backend": "none", "code": "301"]) == 2)
        #expect(parsed.value("proxyd_request_duration_seconds_bucket", ["backend": "app", "le": "0.005"]) == 2)
        #expect(parsed.value("proxyd_request_duration_seconds_bucket", ["backend": "app", "le": "30.0"]) == 2)
        #expect(parsed.value("proxyd_request_duration_seconds_bucket", ["backend": "app", "le": "+Inf"]) == 4)
        #expect(parsed.value("proxyd_open_connections") == 4)
        #expect(parsed.value("proxyd_retries_total", ["backend": "app"]) == 4)
        #expect(parsed.value("proxyd_certificate_expiry_timestamp_seconds", ["listener": "https", "subject": "CN=a \"quoted\" name", "serial": "01"]) == 1_900_000_000)
        #expect(parsed.value("proxyd_access_log_dropped_total") == 2)
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }
}
