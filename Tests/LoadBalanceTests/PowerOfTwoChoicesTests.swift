import Testing
@testable import LoadBalance

@Suite("Power of two choices")
struct PowerOfTwoChoicesTests {
    @Test("of two endpoints, always the one with fewer requests in flight")
    func avoidsLoaded() throws {
        let balancer = try LoadBalancer(strategy: .powerOfTwoChoices, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        var picker = balancer.makePicker(seed: 11)
        // Open requests alternate between the two; then b's finish and a keeps its own.
        let held = (0..<6).compactMap { _ in picker.pick(now: t0).lease }
        #expect(Dictionary(grouping: held, by: \.endpoint.id).mapValues(\.count) == ["a": 3, "b": 3])
        for lease in held where lease.endpoint.id == "b" { lease.complete(.success, now: t0) }
        let picks = (0..<100).map { _ -> String? in
            let result = picker.pick(now: t0)
            result.lease?.complete(.success, now: t0)
            return result.id
        }
        #expect(picks.allSatisfy { $0 == "b" })
    }

    @Test("an idle table gets weighted random shares (chi-square over 100k, p = 0.001)")
    func idleIsWeightedRandom() throws {
        let balancer = try LoadBalancer(strategy: .powerOfTwoChoices, now: t0)
        let weights: [UInt16] = [1, 2, 4, 8]
        try balancer.update(weights.enumerated().map { endpoint("e\($0.offset)", weight: $0.element) }, now: t0)
        var picker = balancer.makePicker(seed: 12)
        let counts = balancer.histogram(100_000, picker: &picker)
        let observed = (0..<4).map { counts["e\($0)", default: 0] }
        #expect(chiSquare(observed: observed, expectedShares: weights.map(Double.init)) < chiSquareCritical(degrees: 3))
    }

    @Test("with latency awareness, the faster endpoint wins at equal load")
    func prefersFaster() throws {
        let balancer = try LoadBalancer(strategy: .powerOfTwoChoices(latencyDecay: .seconds(10)), now: t0)
        try balancer.update([endpoint("slow"), endpoint("fast")], now: t0)
        for round in 0..<5 {
            let start = at(Double(round))
            balancer.lease(on: "slow", now: start)?.complete(.success, now: start.advanced(by: .milliseconds(100)))
            balancer.lease(on: "fast", now: start)?.complete(.success, now: start.advanced(by: .milliseconds(10)))
        }
        var picker = balancer.makePicker(seed: 13)
        let picks = (0..<100).map { _ -> String? in
            let result = picker.pick(now: at(6))
            result.lease?.complete(.cancelled, now: at(6))
            return result.id
        }
        #expect(picks.allSatisfy { $0 == "fast" })
    }

    @Test("the latency average decays with time between samples: e^(-Δt/τ)")
    func ewmaDecay() throws {
        let balancer = try LoadBalancer(strategy: .powerOfTwoChoices(latencyDecay: .seconds(10)), now: t0)
        try balancer.update([endpoint("a")], now: t0)
        balancer.pick(now: at(0)).lease?.complete(.success, now: at(0.1))
        #expect(balancer.status(now: at(0.1)).first?.latencyNanoseconds == 100_000_000)
        // 10 s later a 10 ms sample: 100 ms × e^-1 + 10 ms × (1 - e^-1) ≈ 43.11 ms.
        balancer.pick(now: at(10.09)).lease?.complete(.success, now: at(10.1))
        let latency = try #require(balancer.status(now: at(10.1)).first?.latencyNanoseconds)
        #expect(abs(latency - 43_109_149) < 1_000)
    }

    @Test("a non-positive latency decay is rejected")
    func invalidDecay() {
        #expect(throws: LoadBalancerError.invalidStrategy(strategy: "PowerOfTwoChoices", reason: "latencyDecay must be positive")) {
            try LoadBalancer(strategy: .powerOfTwoChoices(latencyDecay: .zero))
        }
    }
}
