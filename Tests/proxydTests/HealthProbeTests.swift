import NIOCore
import NIOPosix
import Testing
@testable import proxyd

/// Real probes over loopback: against the demo task server, a closed port and a server that
/// accepts and never answers.
@Suite("Health probes over loopback")
struct HealthProbeTests {
    let group = MultiThreadedEventLoopGroup.singleton

    static func http(_ path: String, expected: ClosedRange<Int> = 200...399, timeout: Duration = .seconds(2)) -> HealthProbe {
        HealthProbe(kind: .http(HealthCheckRequest(method: "GET", path: path, host: nil), expectedStatus: expected), timeout: timeout)
    }

    /// A port nothing listens on: bound, noted, closed.
    static func closedPort(group: any EventLoopGroup) async throws -> Int {
        let channel = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }

    @Test("an HTTP probe of /health on a live task passes with status 200")
    func httpPasses() async throws {
        let backend = try await HelloBackend.start(name: "task-1", group: group)
        defer { Task { await backend.stop() } }
        let result = try await Self.http("/health").run(address: "127.0.0.1", port: backend.port, on: group.next()).get()
        #expect(result == .passed(status: 200))
    }

    @Test("an HTTP probe fails when the status is outside the expected range")
    func httpFailsByStatus() async throws {
        let backend = try await HelloBackend.start(name: "task-1", group: group)
        defer { Task { await backend.stop() } }
        let result = try await Self.http("/status/503").run(address: "127.0.0.1", port: backend.port, on: group.next()).get()
        #expect(result == .failed(.unexpectedStatus(503, expected: 200...399)))
    }

    @Test("a TCP probe passes when the port accepts")
    func tcpPasses() async throws {
        let backend = try await HelloBackend.start(name: "task-1", group: group)
        defer { Task { await backend.stop() } }
        let probe = HealthProbe(kind: .tcp, timeout: .seconds(2))
        #expect(try await probe.run(address: "127.0.0.1", port: backend.port, on: group.next()).get() == .passed(status: nil))
    }

    @Test("TCP and HTTP probes of a closed port fail as refused")
    func refused() async throws {
        let port = try await Self.closedPort(group: group)
        #expect(try await HealthProbe(kind: .tcp, timeout: .seconds(2)).run(address: "127.0.0.1", port: port, on: group.next()).get() == .failed(.refused))
        #expect(try await Self.http("/health").run(address: "127.0.0.1", port: port, on: group.next()).get() == .failed(.refused))
    }

    @Test("an HTTP probe of a server that accepts and never answers fails by timeout, on time")
    func timesOut() async throws {
        // Accepts connections and reads nothing back: no handler, so requests are dropped.
        let silent = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let started = ContinuousClock.now
        let result = try await Self.http("/health", timeout: .milliseconds(200)).run(address: "127.0.0.1", port: port, on: group.next()).get()
        let elapsed = ContinuousClock.now - started
        #expect(result == .failed(.timeout(.milliseconds(200))))
        #expect("\(result)" == "failed (timeout after 200ms)")
        #expect(elapsed >= .milliseconds(195) && elapsed < .seconds(5))
    }

    @Test("an HTTP probe of a server that closes without answering fails as closed before a response")
    func closedWithoutAnswer() async throws {
        let closing = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in channel.close() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { closing.close(promise: nil) }
        let port = try #require(closing.localAddress?.port)
        let result = try await Self.http("/health").run(address: "127.0.0.1", port: port, on: group.next()).get()
        // Depending on timing the close arrives as EOF or as a reset.
        switch result {
        case .failed(.closedBeforeResponse), .failed(.connectionFailed): break
        default: Issue.record("unexpected result \(result)")
        }
    }
}
