import Testing
@testable import LoadBalance

@Suite("Least connections")
struct LeastConnectionsTests {
    @Test("goes to the endpoint with the fewest requests in flight")
    func fewestInFlight() throws {
        let balancer = try LoadBalancer(strategy: .leastConnections, now: t0)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c")], now: t0)
        // Six open requests spread 2/2/2, then b finishes both of its.
        let leases = (0..<6).compactMap { _ in balancer.pick(now: t0).lease }
        #expect(Dictionary(grouping: leases, by: \.endpoint.id).mapValues(\.count) == ["a": 2, "b": 2, "c": 2])
        for lease in leases where lease.endpoint.id == "b" { lease.complete(.success, now: t0) }
        #expect(balancer.pick(now: t0).id == "b")
    }

    @Test("weights scale the share of open requests (1:3)")
    func weighted() throws {
        let balancer = try LoadBalancer(strategy: .leastConnections, now: t0)
        try balancer.update([endpoint("a", weight: 1), endpoint("b", weight: 3)], now: t0)
        let leases = (0..<40).compactMap { _ in balancer.pick(now: t0).lease }
        let counts = Dictionary(grouping: leases, by: \.endpoint.id).mapValues(\.count)
        #expect(counts == ["a": 10, "b": 30])
    }

    @Test("above the scan limit, sampling still avoids a loaded endpoint")
    func sampled() throws {
        let balancer = try LoadBalancer(strategy: LeastConnections(exactScanLimit: 2, sampleCount: 4), now: t0)
        try balancer.update(makeEndpoints(8), now: t0)
        // Open 400 requests (spread evenly), then finish all but those of one endpoint.
        var picker = balancer.makePicker(seed: 3)
        let held = (0..<400).compactMap { _ in picker.pick(now: t0).lease }
        let hot = held[0].endpoint.id
        #expect(held.filter { $0.endpoint.id == hot }.count >= 40)
        for lease in held where lease.endpoint.id != hot { lease.complete(.success, now: t0) }
        var hits = 0
        for _ in 0..<1000 {
            let lease = picker.pick(now: t0).lease
            if lease?.endpoint.id == hot { hits += 1 }
            lease?.complete(.success, now: t0)
        }
        // Only a draw where all four samples hit the hot endpoint picks it: (1/8)^4 ≈ 0.02 %.
        #expect(hits <= 2)
    }
}
