import LoadBalance
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import proxyd

/// The per-backend checker driving real probes into a real balancer, in process.
@Suite("Backend health checker")
struct BackendHealthCheckerTests {
    let group = MultiThreadedEventLoopGroup.singleton

    /// A static backend over `ports` whose checks run every 100 ms. The probe `timeout` is
    /// generous by default: a live backend's answer must never count as a failure because a
    /// loaded machine answered late.
    static func backendGroup(ports: [Int], fall: Int = 2, timeout: Duration = .seconds(2)) throws -> (BackendGroup, HealthCheckConfiguration) {
        let location = SourceLocation(file: "test.yaml", line: 1, column: nil)
        var check = HealthCheckConfiguration(kind: .http(method: "GET", path: "/health", host: nil, expectedStatus: 200...399))
        check.interval = .milliseconds(100)
        check.timeout = timeout
        check.rise = 1
        check.fall = fall
        var configuration = BackendConfiguration(
            name: "app",
            membership: .servers(ports.enumerated().map { ServerConfiguration(name: "s\($0.offset)", host: "127.0.0.1", port: $0.element, location: location) }),
            location: location
        )
        configuration.healthCheck = check
        configuration.outlierDetection.consecutiveFailures = 0
        return (try BackendGroup(configuration: configuration), check)
    }

    /// Polls `condition` every 20 ms until it holds or `limit` passes. Callers give limits far
    /// beyond what the checks need (a few hundred milliseconds): the wait ends as soon as the
    /// condition holds, and the test process shares two cores with every other suite.
    static func eventually(within limit: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test("an endpoint on a closed port goes down by failed checks while the live one stays up")
    func closedPortGoesDown() async throws {
        let live = try await HelloBackend.start(name: "live", group: group)
        defer { Task { await live.stop() } }
        let closed = try await HealthProbeTests.closedPort(group: group)
        let (backend, check) = try Self.backendGroup(ports: [live.port, closed])
        let checker = BackendHealthChecker(backend: backend, check: check, group: group, logger: Logger(label: "test"))
        let running = Task { await checker.run() }
        defer { running.cancel() }

        let down = try await Self.eventually(within: .seconds(30)) {
            backend.balancer.status().first { $0.endpoint.port == closed }?.health == .down(.failedChecks)
                && checker.statuses().first?.lastCheck != nil
        }
        #expect(down)
        #expect(backend.balancer.status().first { $0.endpoint.port == live.port }?.health == .up)
        let statuses = checker.statuses()
        #expect(statuses.map(\.endpointID) == ["127.0.0.1:\(live.port)", "127.0.0.1:\(closed)"])
        #expect(statuses[0].lastCheck?.result == .passed(status: 200))
        #expect(statuses[1].lastCheck?.result == .failed(.refused))
    }

    @Test("endpoints added to the balancer are probed, removed ones stop being checked")
    func followsMembership() async throws {
        let first = try await HelloBackend.start(name: "first", group: group)
        let second = try await HelloBackend.start(name: "second", group: group)
        defer { Task { await first.stop(); await second.stop() } }
        let (backend, check) = try Self.backendGroup(ports: [first.port])
        let checker = BackendHealthChecker(backend: backend, check: check, group: group, logger: Logger(label: "test"))
        let running = Task { await checker.run() }
        defer { running.cancel() }

        let secondID = "127.0.0.1:\(second.port)"
        try backend.balancer.update([Endpoint(address: "127.0.0.1", port: first.port), Endpoint(address: "127.0.0.1", port: second.port)])
        let probed = try await Self.eventually(within: .seconds(30)) {
            checker.statuses().first { $0.endpointID == secondID }?.lastCheck?.result == .passed(status: 200)
        }
        #expect(probed)

        try backend.balancer.update([Endpoint(address: "127.0.0.1", port: second.port)])
        let dropped = try await Self.eventually(within: .seconds(30)) { checker.statuses().map(\.endpointID) == [secondID] }
        #expect(dropped)
    }

    @Test("cancelling the run stops the checker promptly")
    func cancellationStops() async throws {
        let (backend, check) = try Self.backendGroup(ports: [try await HealthProbeTests.closedPort(group: group)], timeout: .milliseconds(100))
        let checker = BackendHealthChecker(backend: backend, check: check, group: group, logger: Logger(label: "test"))
        let running = Task { await checker.run() }
        try await Task.sleep(for: .milliseconds(150))
        let cancelled = ContinuousClock.now
        running.cancel()
        await running.value
        // Promptly: cancellation ends the wait for the next probe; the bound leaves room for a
        // loaded machine.
        #expect(ContinuousClock.now - cancelled < .seconds(5))
        // Nothing is started after the run ended: once the last probe (timeout 100 ms) is
        // done, the snapshot stays the same.
        try await Task.sleep(for: .milliseconds(250))
        let settled = checker.statuses()
        #expect(settled.allSatisfy { !$0.probeInFlight && $0.lastCheck != nil })
        try await Task.sleep(for: .milliseconds(400))
        #expect(checker.statuses() == settled)
    }
}
