import Testing
@testable import LoadBalance

@Suite("pick(excluding:)")
struct PickExcludingTests {
    static let strategies: [(String, any BalancingStrategy)] = [
        ("round robin", .roundRobin), ("power of two choices", .powerOfTwoChoices),
        ("weighted random", .weightedRandom), ("least connections", .leastConnections),
        ("ring hash", .ringHash), ("maglev", .maglev),
    ]

    @Test("a retry never lands on an excluded endpoint while another candidate exists, whatever the strategy", arguments: 0..<strategies.count)
    func neverExcluded(strategy index: Int) throws {
        let (name, strategy) = Self.strategies[index]
        let balancer = try LoadBalancer(strategy: strategy)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c")], now: t0)
        var seen: [String: Int] = [:]
        for request in 0..<3000 {
            // A hash key that maps to the excluded endpoint must not pull the retry back to it.
            let result = balancer.pick(key: HashKey("user-\(request % 7)"), excluding: ["a", "b"], now: t0)
            let lease = try #require(result.lease, "\(name)")
            seen[lease.endpoint.id, default: 0] += 1
            lease.complete(.success, now: t0)
        }
        #expect(seen == ["c": 3000], "\(name)")
        #expect(balancer.status(now: t0).map(\.inFlight) == [0, 0, 0], "\(name)")
    }

    @Test("with one endpoint excluded the retries spread over all the others")
    func spreadsOverTheRest() throws {
        let balancer = try LoadBalancer(strategy: .powerOfTwoChoices)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c")], now: t0)
        var seen: [String: Int] = [:]
        for _ in 0..<3000 {
            let lease = try #require(balancer.pick(excluding: ["a"], now: t0).lease)
            seen[lease.endpoint.id, default: 0] += 1
            lease.complete(.success, now: t0)
        }
        #expect(seen["a"] == nil)
        #expect((1200...1800).contains(seen["b"] ?? 0), "\(seen)")
        #expect((1200...1800).contains(seen["c"] ?? 0), "\(seen)")
    }

    @Test("every candidate excluded is no endpoint, and nothing is left in flight")
    func allExcluded() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        let result = balancer.pick(excluding: ["a", "b"], now: t0)
        #expect(result.lease == nil)
        guard case .noEndpoint(let reason) = result else { Issue.record("picked \(String(describing: result.id))"); return }
        #expect(reason == .noEndpoints)
        #expect(balancer.status(now: t0).map(\.inFlight) == [0, 0])
    }

    @Test("an empty table answers with its own reason")
    func emptyTable() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin)
        guard case .noEndpoint(let reason) = balancer.pick(excluding: ["a"], now: t0) else {
            Issue.record("picked from an empty table"); return
        }
        #expect(reason == .noEndpoints)
    }

    @Test("only the returned lease counts as in flight")
    func onlyTheLeaseIsInFlight() throws {
        let balancer = try LoadBalancer(strategy: .powerOfTwoChoices)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c")], now: t0)
        let lease = try #require(balancer.pick(excluding: ["a"], now: t0).lease)
        let inFlight = Dictionary(uniqueKeysWithValues: balancer.status(now: t0).map { ($0.endpoint.id, $0.inFlight) })
        #expect(inFlight.values.reduce(0, +) == 1)
        #expect(inFlight[lease.endpoint.id] == 1)
        lease.complete(.success, now: t0)
    }
}
