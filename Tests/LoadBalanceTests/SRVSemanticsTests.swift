import Testing
@testable import LoadBalance

/// RFC 2782 priority and weight rules as the table applies them.
@Suite("SRV priority and weight")
struct SRVSemanticsTests {
    static let noPanic = LoadBalancerConfiguration(activeHealthChecks: ActiveHealthCheckPolicy(rise: 1, fall: 1), panicThreshold: 0)

    @Test("only the lowest priority value with healthy endpoints gets traffic")
    func lowestPriority() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.noPanic, now: t0)
        try balancer.update([endpoint("a", priority: 10), endpoint("b", priority: 10), endpoint("backup", priority: 20)], now: t0)
        let seen = Set((0..<100).compactMap { _ in balancer.pickAndComplete() })
        #expect(seen == ["a", "b"])
    }

    @Test("fails over to the next priority when the first is down, and recovers")
    func failoverAndRecovery() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.noPanic, now: t0)
        try balancer.update([endpoint("a", priority: 0), endpoint("b", priority: 0), endpoint("c", priority: 1), endpoint("d", priority: 1)], now: t0)
        try balancer.recordHealthCheck(endpointID: "a", passed: false, now: t0)
        try balancer.recordHealthCheck(endpointID: "b", passed: false, now: t0)
        #expect(Set((0..<100).compactMap { _ in balancer.pickAndComplete() }) == ["c", "d"])
        try balancer.recordHealthCheck(endpointID: "b", passed: true, now: at(1))
        #expect(Set((0..<100).compactMap { _ in balancer.pickAndComplete(now: at(1)) }) == ["b"])
        try balancer.recordHealthCheck(endpointID: "a", passed: true, now: at(2))
        #expect(Set((0..<100).compactMap { _ in balancer.pickAndComplete(now: at(2)) }) == ["a", "b"])
    }

    @Test("weights share traffic within a priority (±5 % over 100k picks)", arguments: [ConfiguredStrategy.weightedRandom, .roundRobin()])
    func weightShares(strategy: ConfiguredStrategy) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        try balancer.update([endpoint("a", weight: 10), endpoint("b", weight: 30), endpoint("c", weight: 60), endpoint("x", weight: 100, priority: 1)], now: t0)
        var picker = balancer.makePicker(seed: 2782)
        let counts = balancer.histogram(100_000, picker: &picker)
        #expect(counts["x"] == nil)
        for (id, share) in [("a", 0.1), ("b", 0.3), ("c", 0.6)] {
            let observed = Double(counts[id, default: 0]) / 100_000
            #expect(abs(observed - share) <= share * 0.05, "\(id): \(observed)")
        }
    }

    @Test("weight 0 is used only when no endpoint of the tier has a positive weight")
    func weightZero() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: Self.noPanic, now: t0)
        try balancer.update([endpoint("zero", weight: 0), endpoint("five", weight: 5)], now: t0)
        #expect(Set((0..<50).compactMap { _ in balancer.pickAndComplete() }) == ["five"])
        try balancer.recordHealthCheck(endpointID: "five", passed: false, now: t0)
        #expect(Set((0..<50).compactMap { _ in balancer.pickAndComplete() }) == ["zero"])
    }

    @Test("all-zero weights share equally")
    func allZero() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("a", weight: 0), endpoint("b", weight: 0)], now: t0)
        #expect((0..<4).map { _ in balancer.pickAndComplete() } == ["a", "b", "a", "b"])
    }

    @Test("ignoring SRV weights gives plain rotation")
    func ignoreWeights() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: LoadBalancerConfiguration(ignoresWeights: true), now: t0)
        try balancer.update([endpoint("a", weight: 1), endpoint("b", weight: 9), endpoint("c", weight: 0)], now: t0)
        #expect((0..<6).map { _ in balancer.pickAndComplete() } == ["a", "b", "c", "a", "b", "c"])
    }
}
