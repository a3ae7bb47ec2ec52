import Testing
@testable import LoadBalance

@Suite("Round robin")
struct RoundRobinTests {
    @Test("equal weights give exact rotation on the shared path")
    func exactRotationShared() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c")], now: t0)
        let picks = (0..<9).map { _ in balancer.pickAndComplete() }
        #expect(picks == ["a", "b", "c", "a", "b", "c", "a", "b", "c"])
    }

    @Test("a picker rotates exactly too, from its own random starting point")
    func exactRotationPicker() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        let ids = (0..<5).map { "e\($0)" }
        try balancer.update(ids.map { endpoint($0) }, now: t0)
        var picker = balancer.makePicker(seed: 7)
        let picks = (0..<20).compactMap { _ in picker.pick(now: t0).id }
        let start = try #require(ids.firstIndex(of: picks[0]))
        #expect(picks == (0..<20).map { ids[(start + $0) % 5] })
    }

    @Test("weights 5:1:1 give one interleaved cycle of seven")
    func weightedCycle() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("a", weight: 5), endpoint("b", weight: 1), endpoint("c", weight: 1)], now: t0)
        let picks = (0..<14).map { _ in balancer.pickAndComplete() }
        let cycle: [String?] = ["a", "a", "a", "b", "c", "a", "a"]
        #expect(picks == cycle + cycle)
    }

    @Test("weighted round robin matches weights over 100k picks (chi-square, p = 0.001)")
    func weightedChiSquare() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        let weights: [UInt16] = [1, 2, 3, 7, 11]
        try balancer.update(weights.enumerated().map { endpoint("e\($0.offset)", weight: $0.element) }, now: t0)
        var picker = balancer.makePicker(seed: 1)
        let counts = balancer.histogram(100_000, picker: &picker)
        let observed = (0..<weights.count).map { counts["e\($0)", default: 0] }
        let statistic = chiSquare(observed: observed, expectedShares: weights.map(Double.init))
        #expect(statistic < chiSquareCritical(degrees: weights.count - 1))
    }

    @Test("a cycle longer than the cap is scaled down, keeping shares within one slot")
    func scheduleCap() throws {
        let balancer = try LoadBalancer(strategy: RoundRobin(maxScheduleLength: 100), now: t0)
        try balancer.update([endpoint("a", weight: 999), endpoint("b", weight: 1)], now: t0)
        let counts = Dictionary(grouping: (0..<100).compactMap { _ in balancer.pickAndComplete() }, by: { $0 }).mapValues(\.count)
        #expect(counts["a"] == 99)
        #expect(counts["b"] == 1)
    }

    @Test("a schedule cap below 1 is rejected with the strategy's name")
    func invalidCap() {
        #expect(throws: LoadBalancerError.invalidStrategy(strategy: "RoundRobin", reason: "maxScheduleLength must be at least 1, got 0")) {
            try LoadBalancer(strategy: RoundRobin(maxScheduleLength: 0))
        }
    }
}

@Suite("Round robin cycles")
struct RoundRobinCycleTests {
    @Test("every cycle gives each endpoint exactly weight / gcd turns, for random weights")
    func exactCycleCounts() throws {
        var random = SplitMix64(seed: 31)
        for _ in 0..<20 {
            let count = Int(random.next() % 6) + 2
            let weights = (0..<count).map { _ in UInt16(random.next() % 12 + 1) }
            let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
            try balancer.update(weights.enumerated().map { endpoint("e\($0.offset)", weight: $0.element) }, now: t0)
            let divisor = weights.reduce(0) { RoundRobinPlan.gcd($0, UInt64($1)) }
            let cycle = Int(weights.reduce(0) { $0 + UInt64($1) } / divisor)
            let picks = (0..<(2 * cycle)).compactMap { _ in balancer.pickAndComplete() }
            for half in [picks[..<cycle], picks[cycle...]] {
                for (index, weight) in weights.enumerated() {
                    #expect(half.filter { $0 == "e\(index)" }.count == Int(UInt64(weight) / divisor), "weights \(weights)")
                }
            }
        }
    }
}
