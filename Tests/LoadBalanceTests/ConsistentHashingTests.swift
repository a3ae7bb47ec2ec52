import Testing
@testable import LoadBalance

/// Remapping and balance of the ring and Maglev, measured over 100k keys.
@Suite("Consistent hashing")
struct ConsistentHashingTests {
    static let keys = (0..<100_000).map { HashKey("user-\($0)") }

    /// Owner id of every key.
    static func assignment(_ balancer: LoadBalancer) -> [String?] {
        keys.map { balancer.pickAndComplete(key: $0) }
    }

    static func movedFraction(_ before: [String?], _ after: [String?]) -> Double {
        Double(zip(before, after).filter { $0 != $1 }.count) / Double(before.count)
    }

    static let strategies: [ConfiguredStrategy] = [.ringHash(), .maglev()]

    @Test("adding one endpoint to ten moves at most ~1/11 of the keys, all onto the new one", arguments: strategies)
    func addOne(strategy: ConfiguredStrategy) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        let ten = makeEndpoints(10)
        try balancer.update(ten, now: t0)
        let before = Self.assignment(balancer)
        let eleventh = makeEndpoints(1, firstHost: 11)[0]
        try balancer.update(ten + [eleventh], now: t0)
        let after = Self.assignment(balancer)
        let moved = Self.movedFraction(before, after)
        #expect(moved <= 1.0 / 11 + 0.02, "moved \(moved)")
        #expect(moved >= 1.0 / 11 - 0.03, "the new endpoint must get its share, moved \(moved)")
        let movedElsewhere = zip(before, after).filter { $0 != $1 && $1 != eleventh.id }.count
        if case .ringHash = strategy {
            #expect(movedElsewhere == 0)
        } else {
            // Maglev trades a little extra disruption for balance (paper §5.3).
            #expect(Double(movedElsewhere) / Double(Self.keys.count) < 0.01)
        }
    }

    @Test("removing one endpoint of ten moves its keys and at most ~1/10 in all", arguments: strategies)
    func removeOne(strategy: ConfiguredStrategy) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        let ten = makeEndpoints(10)
        try balancer.update(ten, now: t0)
        let before = Self.assignment(balancer)
        let removed = ten[3].id
        try balancer.update(ten.filter { $0.id != removed }, now: t0)
        let after = Self.assignment(balancer)
        let moved = Self.movedFraction(before, after)
        #expect(moved <= 1.0 / 10 + 0.02, "moved \(moved)")
        #expect(!after.contains(removed))
        let movedFromKept = zip(before, after).filter { $0 != $1 && $0 != removed }.count
        if case .ringHash = strategy {
            #expect(movedFromKept == 0)
        } else {
            #expect(Double(movedFromKept) / Double(Self.keys.count) < 0.01)
        }
    }

    @Test("ten endpoints share 100k keys evenly", arguments: zip(strategies, [1.25, 1.05]))
    func balance(strategy: ConfiguredStrategy, maxOverAverage: Double) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        try balancer.update(makeEndpoints(10), now: t0)
        let counts = Dictionary(grouping: Self.assignment(balancer).compactMap { $0 }, by: { $0 }).mapValues(\.count)
        #expect(counts.count == 10)
        let maximum = Double(counts.values.max() ?? 0)
        #expect(maximum / 10_000 <= maxOverAverage, "max \(maximum)")
    }

    @Test("weights give proportional key shares (1:3, ±5 %)", arguments: strategies)
    func weightedShares(strategy: ConfiguredStrategy) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        try balancer.update([endpoint("a", weight: 1), endpoint("b", weight: 3)], now: t0)
        let counts = Dictionary(grouping: Self.assignment(balancer).compactMap { $0 }, by: { $0 }).mapValues(\.count)
        let share = Double(counts["b", default: 0]) / Double(Self.keys.count)
        #expect(abs(share - 0.75) <= 0.75 * 0.05, "share \(share)")
    }

    @Test("a key stays on its endpoint across rebuilds and pickers", arguments: strategies)
    func affinity(strategy: ConfiguredStrategy) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        try balancer.update(makeEndpoints(20), now: t0)
        let key = HashKey("session-42")
        let first = balancer.pickAndComplete(key: key)
        try balancer.update(makeEndpoints(20), now: t0)
        var picker = balancer.makePicker(seed: 1)
        let again = picker.pick(key: key, now: t0)
        again.lease?.complete(.success, now: t0)
        #expect(again.id == first)
    }

    @Test("the Maglev table size is prime, fixed per rung and ≥ 64 slots per endpoint")
    func maglevSize() {
        #expect(Maglev.tableSize(for: 10, minimum: 65_537) == 65_537)
        #expect(Maglev.tableSize(for: 1_000, minimum: 65_537) == 65_537)
        let big = Maglev.tableSize(for: 10_000, minimum: 65_537)
        #expect(Maglev.isPrime(big) && big >= 640_000)
    }

    @Test("a Maglev size that is not prime is rejected")
    func maglevNotPrime() {
        #expect(throws: LoadBalancerError.invalidStrategy(strategy: "Maglev", reason: "minimumTableSize must be a prime in 2...2^28, got 65536")) {
            try LoadBalancer(strategy: Maglev(minimumTableSize: 65_536))
        }
    }

    @Test("a ring with zero virtual nodes is rejected")
    func ringZeroNodes() {
        #expect(throws: LoadBalancerError.invalidStrategy(strategy: "RingHash", reason: "virtualNodes must be in 1...10000, got 0")) {
            try LoadBalancer(strategy: RingHash(virtualNodes: 0))
        }
    }
}

@Suite("Bounded-load hashing")
struct BoundedLoadHashTests {
    @Test("one hot key cannot push any endpoint above c × average")
    func hotKey() throws {
        let balancer = try LoadBalancer(strategy: .boundedLoadHash(balanceFactor: 1.25), now: t0)
        try balancer.update(makeEndpoints(8), now: t0)
        var held: [Lease] = []
        for request in 0..<2_000 {
            // 90 % of requests carry the same key.
            let key = request % 10 == 0 ? HashKey("cold-\(request)") : HashKey("hot")
            if let lease = balancer.pick(key: key, now: t0).lease { held.append(lease) }
        }
        let loads = balancer.status(now: t0).map(\.inFlight)
        let average = Double(loads.reduce(0, +)) / Double(loads.count)
        #expect(loads.reduce(0, +) == 2_000)
        #expect(Double(loads.max() ?? 0) <= (1.25 * average).rounded(.up))
    }

    @Test("while nothing is overloaded a key keeps the ring's endpoint")
    func affinityWhenIdle() throws {
        let bounded = try LoadBalancer(strategy: .boundedLoadHash(), now: t0)
        let ring = try LoadBalancer(strategy: .ringHash, now: t0)
        try bounded.update(makeEndpoints(10), now: t0)
        try ring.update(makeEndpoints(10), now: t0)
        for index in 0..<1_000 {
            let key = HashKey("k\(index)")
            #expect(bounded.pickAndComplete(key: key) == ring.pickAndComplete(key: key))
        }
    }

    @Test("a balance factor of 1 or less is rejected")
    func invalidFactor() {
        #expect(throws: LoadBalancerError.invalidStrategy(strategy: "BoundedLoadHash", reason: "balanceFactor must be a finite number above 1, got 1.0")) {
            try LoadBalancer(strategy: .boundedLoadHash(balanceFactor: 1))
        }
    }
}

@Suite("Hash ring layout")
struct HashRingLayoutTests {
    @Test("ring points are sorted and a lookup finds the first point at or after the key")
    func lookupMatchesLinearSearch() throws {
        let balancer = try LoadBalancer(strategy: RingHash(virtualNodes: 50), now: t0)
        try balancer.update(makeEndpoints(37), now: t0)
        let candidates = try #require(balancer.current.load(ordering: .acquiring).candidates)
        let ring = HashRing(candidates: candidates, virtualNodes: 50)
        #expect(ring.count == 37 * 50)
        #expect(zip(ring.entries, ring.entries.dropFirst()).allSatisfy { $0 <= $1 })
        var random = SplitMix64(seed: 8)
        for _ in 0..<2_000 {
            let hash = random.next()
            let target = hash & ~ring.indexMask
            let expected = ring.entries.firstIndex { $0 >= target } ?? 0
            #expect(ring.position(for: hash) == expected)
        }
    }
}
