import Logging
import NIOCore
import NIOPosix
import Testing
@testable import proxyd

/// Which backends get a checker, and how connect errors read as probe failures.
@Suite("Health check wiring")
struct HealthCheckWiringTests {
    @Test("only backends with a health_check get a checker, in configuration order, with their probe")
    func checkersPerBackend() throws {
        let yaml = """
            backends:
              plain:
                servers: ["127.0.0.1:9000"]
              web:
                servers: ["127.0.0.1:9001"]
                health_check: { path: /ready, expect_status: 200-204, interval: 5s, timeout: 2s }
              raw:
                servers: ["127.0.0.1:9002"]
                health_check: { type: tcp, interval: 250ms }
            listeners:
              - bind: 127.0.0.1:8080
                backend: web
            """
        let configuration = try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml").configuration
        let group = MultiThreadedEventLoopGroup.singleton
        let runtime = try ProxyRuntime(configuration: configuration, group: group, logger: Logger(label: "test"))
        let checkers = runtime.healthChecks.checkers
        #expect(checkers.map(\.backend.name) == ["web", "raw"])
        #expect(checkers.map(\.probe.kind) == [
            .http(HealthCheckRequest(method: "GET", path: "/ready", host: nil), expectedStatus: 200...204),
            .tcp,
        ])
        #expect(checkers.map(\.probe.timeout) == [.seconds(2), .seconds(1)])
        // Membership is looked at every half interval, between 20 ms and 500 ms.
        #expect(checkers.map(\.membershipRefresh) == [.milliseconds(500), .milliseconds(125)])
    }

    @Test("connect errors read as timeout, refused, or a connection failure naming the error")
    func connectErrorClassification() {
        #expect(ProbeFailure(connectError: ChannelError.connectTimeout(.milliseconds(150)), timeout: .milliseconds(150)) == .timeout(.milliseconds(150)))
        #expect(ProbeFailure(connectError: IOError(errnoCode: ECONNREFUSED, reason: "connect"), timeout: .seconds(1)) == .refused)
        guard case .connectionFailed(let reason) = ProbeFailure(connectError: IOError(errnoCode: EHOSTUNREACH, reason: "connect"), timeout: .seconds(1)) else {
            Issue.record("an unreachable host is a connection failure")
            return
        }
        #expect(reason.contains("connect"))
    }
}
