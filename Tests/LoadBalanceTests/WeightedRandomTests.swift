import Testing
@testable import LoadBalance

@Suite("Weighted random")
struct WeightedRandomTests {
    @Test("matches weights over 100k picks (chi-square, p = 0.001)")
    func chiSquareWeights() throws {
        let balancer = try LoadBalancer(strategy: .weightedRandom, now: t0)
        let weights: [UInt16] = [5, 10, 20, 40, 100, 1]
        try balancer.update(weights.enumerated().map { endpoint("e\($0.offset)", weight: $0.element) }, now: t0)
        var picker = balancer.makePicker(seed: 2024)
        let counts = balancer.histogram(100_000, picker: &picker)
        let observed = (0..<weights.count).map { counts["e\($0)", default: 0] }
        #expect(chiSquare(observed: observed, expectedShares: weights.map(Double.init)) < chiSquareCritical(degrees: weights.count - 1))
    }

    @Test("equal weights are uniform over 100k picks (chi-square, p = 0.001)")
    func uniform() throws {
        let balancer = try LoadBalancer(strategy: .weightedRandom, now: t0)
        try balancer.update(makeEndpoints(17), now: t0)
        var picker = balancer.makePicker(seed: 99)
        let counts = balancer.histogram(100_000, picker: &picker)
        #expect(counts.count == 17)
        let observed = Array(counts.values)
        #expect(chiSquare(observed: observed, expectedShares: Array(repeating: 1, count: 17)) < chiSquareCritical(degrees: 16))
    }

    @Test("an injected seeded generator makes the sequence reproducible")
    func seeded() throws {
        let balancer = try LoadBalancer(strategy: .weightedRandom, now: t0)
        try balancer.update(makeEndpoints(10), now: t0)
        var first = balancer.makePicker(random: SplitMix64(seed: 5))
        var second = balancer.makePicker(random: SplitMix64(seed: 5))
        var other = balancer.makePicker(random: SplitMix64(seed: 6))
        let a = (0..<50).map { _ in first.pick(now: t0).id }
        let b = (0..<50).map { _ in second.pick(now: t0).id }
        let c = (0..<50).map { _ in other.pick(now: t0).id }
        #expect(a == b)
        #expect(a != c)
    }
}
