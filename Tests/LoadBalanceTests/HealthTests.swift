import Testing
@testable import LoadBalance

@Suite("Health, ejection and panic")
struct HealthTests {
    static let ejecting = LoadBalancerConfiguration(
        outlierDetection: OutlierDetection(
            consecutiveConnectionFailures: 3, consecutiveServerErrors: 2,
            baseEjection: .seconds(10), backoffMultiplier: 2, maxEjection: .seconds(35), forgetAfter: .seconds(100)),
        panicThreshold: 0)

    /// Fails `count` requests to `id` at `now` with `outcome`.
    func fail(_ balancer: LoadBalancer, _ id: String, _ count: Int, _ outcome: RequestOutcome = .connectionFailure, now: ContinuousClock.Instant) {
        for _ in 0..<count {
            balancer.lease(on: id, now: now)?.complete(outcome, now: now)
        }
    }

    @Test("active checks take an endpoint down after `fall` failures and up after `rise` passes")
    func riseFall() throws {
        let config = LoadBalancerConfiguration(activeHealthChecks: ActiveHealthCheckPolicy(rise: 2, fall: 3), panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        for _ in 0..<2 { try balancer.recordHealthCheck(endpointID: "a", passed: false, now: t0) }
        #expect(balancer.health(of: "a") == .up)
        try balancer.recordHealthCheck(endpointID: "a", passed: false, now: t0)
        #expect(balancer.health(of: "a") == .down(.failedChecks))
        #expect(Set((0..<20).compactMap { _ in balancer.pickAndComplete() }) == ["b"])
        try balancer.recordHealthCheck(endpointID: "a", passed: true, now: t0)
        #expect(balancer.health(of: "a") == .down(.failedChecks))
        try balancer.recordHealthCheck(endpointID: "a", passed: true, now: t0)
        #expect(balancer.health(of: "a") == .up)
    }

    @Test("endpoints can be required to pass `rise` checks before their first request")
    func startsDown() throws {
        let config = LoadBalancerConfiguration(activeHealthChecks: ActiveHealthCheckPolicy(rise: 1, fall: 1, startsUp: false), panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a")], now: t0)
        #expect(balancer.pick(now: t0).id == nil)
        try balancer.recordHealthCheck(endpointID: "a", passed: true, now: t0)
        #expect(balancer.pickAndComplete() == "a")
    }

    @Test("consecutive connection failures eject; a success in between resets the count")
    func connectionFailures() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.ejecting, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        fail(balancer, "a", 2, now: t0)
        balancer.lease(on: "a", now: t0)?.complete(.success, now: t0)
        fail(balancer, "a", 2, now: t0)
        #expect(balancer.health(of: "a") == .up)
        fail(balancer, "a", 1, now: t0)
        #expect(balancer.health(of: "a") == .down(.ejected(until: at(10))))
        #expect(Set((0..<20).compactMap { _ in balancer.pickAndComplete() }) == ["b"])
    }

    @Test("consecutive 5xx eject too")
    func serverErrors() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.ejecting, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        fail(balancer, "a", 2, .serverError, now: t0)
        #expect(balancer.health(of: "a") == .down(.ejected(until: at(10))))
    }

    @Test("an ejected endpoint returns by itself when its ejection ends")
    func returnsAfterEjection() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.ejecting, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        fail(balancer, "a", 3, now: t0)
        #expect(Set((0..<10).compactMap { _ in balancer.pickAndComplete(now: at(9.999)) }) == ["b"])
        #expect(Set((0..<10).compactMap { _ in balancer.pickAndComplete(now: at(10)) }) == ["a", "b"])
    }

    @Test("repeated ejections back off: 10 s, 20 s, then capped at 35 s; forgotten after a quiet 100 s")
    func backoffGrowth() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.ejecting, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        fail(balancer, "a", 3, now: t0)
        #expect(balancer.health(of: "a", now: t0) == .down(.ejected(until: at(10))))
        fail(balancer, "a", 3, now: at(11))
        #expect(balancer.health(of: "a", now: at(11)) == .down(.ejected(until: at(31))))
        fail(balancer, "a", 3, now: at(32))
        #expect(balancer.health(of: "a", now: at(32)) == .down(.ejected(until: at(67))))
        fail(balancer, "a", 3, now: at(68))
        #expect(balancer.health(of: "a", now: at(68)) == .down(.ejected(until: at(103))))
        // In for 100 s after the last ejection ended: the back-off starts over.
        fail(balancer, "a", 3, now: at(203))
        #expect(balancer.health(of: "a", now: at(203)) == .down(.ejected(until: at(213))))
        #expect(balancer.status(now: at(203)).first { $0.endpoint.id == "a" }?.ejections == 5)
    }

    @Test("below the panic threshold every endpoint gets traffic again")
    func panic() throws {
        let config = LoadBalancerConfiguration(activeHealthChecks: ActiveHealthCheckPolicy(rise: 1, fall: 1), panicThreshold: 0.5)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c"), endpoint("d", priority: 1)], now: t0)
        try balancer.recordHealthCheck(endpointID: "a", passed: false, now: t0)
        // 3 of 4 healthy: no panic, a skipped.
        #expect(Set((0..<30).compactMap { _ in balancer.pickAndComplete() }) == ["b", "c"])
        try balancer.recordHealthCheck(endpointID: "b", passed: false, now: t0)
        // 2 of 4 healthy = exactly the threshold: still no panic.
        #expect(Set((0..<30).compactMap { _ in balancer.pickAndComplete() }) == ["c"])
        try balancer.recordHealthCheck(endpointID: "c", passed: false, now: t0)
        // 1 of 4 healthy: panic, all endpoints of all priorities.
        #expect(Set((0..<40).compactMap { _ in balancer.pickAndComplete() }) == ["a", "b", "c", "d"])
    }

    @Test("with panic disabled an all-down table answers allUnhealthy")
    func allUnhealthy() throws {
        let config = LoadBalancerConfiguration(activeHealthChecks: ActiveHealthCheckPolicy(rise: 1, fall: 1), panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a")], now: t0)
        try balancer.recordHealthCheck(endpointID: "a", passed: false, now: t0)
        guard case .noEndpoint(let reason) = balancer.pick(now: t0) else {
            Issue.record("expected no endpoint")
            return
        }
        #expect(reason == .allUnhealthy)
    }

    @Test("an empty table answers noEndpoints, before and after updates")
    func empty() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        var picker = balancer.makePicker(seed: 1)
        guard case .noEndpoint(.noEndpoints) = picker.pick(now: t0) else {
            Issue.record("expected noEndpoints before the first update")
            return
        }
        try balancer.update([endpoint("a")], now: t0)
        #expect(picker.pick(now: t0).id == "a")
        try balancer.update([], now: t0)
        guard case .noEndpoint(.noEndpoints) = picker.pick(now: t0) else {
            Issue.record("expected noEndpoints after an empty update")
            return
        }
    }

    @Test("a health check for an unknown endpoint is an error naming it")
    func unknownEndpoint() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        #expect(throws: LoadBalancerError.unknownEndpoint("nope:80")) {
            try balancer.recordHealthCheck(endpointID: "nope:80", passed: true, now: t0)
        }
    }

    @Test("cancelled requests are no health signal")
    func cancelled() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.ejecting, now: t0)
        try balancer.update([endpoint("a")], now: t0)
        fail(balancer, "a", 2, now: t0)
        for _ in 0..<10 { balancer.lease(on: "a", now: t0)?.complete(.cancelled, now: t0) }
        fail(balancer, "a", 1, now: t0)
        #expect(balancer.health(of: "a") == .down(.ejected(until: at(10))))
    }

    @Test("no more than maxEjectionPercent of the table is ejected at once; one always may be")
    func maxEjectionPercent() throws {
        let config = LoadBalancerConfiguration(
            outlierDetection: OutlierDetection(consecutiveConnectionFailures: 2, baseEjection: .seconds(10), maxEjectionPercent: 25),
            panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c"), endpoint("d")], now: t0)
        fail(balancer, "a", 2, now: t0)
        #expect(balancer.health(of: "a") == .down(.ejected(until: at(10))))
        // A second ejection would make 2 of 4 = 50 % > 25 %: refused, b stays in.
        fail(balancer, "b", 2, now: at(1))
        #expect(balancer.health(of: "b", now: at(1)) == .up)
        // Once a is back, b's next streak ejects it.
        fail(balancer, "b", 2, now: at(10))
        #expect(balancer.health(of: "b", now: at(10)) == .down(.ejected(until: at(20))))
    }

    @Test("with maxEjectionPercent 0 a single endpoint can still be ejected (Envoy's rule)")
    func atLeastOne() throws {
        let config = LoadBalancerConfiguration(
            outlierDetection: OutlierDetection(consecutiveConnectionFailures: 1, baseEjection: .seconds(10), maxEjectionPercent: 0),
            panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        fail(balancer, "a", 1, now: t0)
        fail(balancer, "b", 1, now: t0)
        #expect(balancer.health(of: "a") == .down(.ejected(until: at(10))))
        #expect(balancer.health(of: "b") == .up)
    }
}
