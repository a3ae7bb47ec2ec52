import Testing
@testable import LoadBalance

@Suite("Source hash and hash keys")
struct SourceHashTests {
    @Test("a client address always maps to the same endpoint")
    func stickiness() throws {
        let balancer = try LoadBalancer(strategy: .sourceHash, now: t0)
        try balancer.update(makeEndpoints(7), now: t0)
        let client = HashKey.clientAddress([192, 0, 2, 33])
        let first = balancer.pickAndComplete(key: client)
        for _ in 0..<100 { #expect(balancer.pickAndComplete(key: client) == first) }
    }

    @Test("many clients spread by weight (chi-square over 100k, p = 0.001)")
    func spread() throws {
        let balancer = try LoadBalancer(strategy: .sourceHash, now: t0)
        try balancer.update([endpoint("a", weight: 1), endpoint("b", weight: 2), endpoint("c", weight: 5)], now: t0)
        var counts: [String: Int] = [:]
        for client in 0..<100_000 {
            let address: [UInt8] = [10, UInt8(client >> 16), UInt8((client >> 8) & 0xff), UInt8(client & 0xff)]
            if let id = balancer.pickAndComplete(key: .clientAddress(address)) { counts[id, default: 0] += 1 }
        }
        let observed = ["a", "b", "c"].map { counts[$0, default: 0] }
        #expect(chiSquare(observed: observed, expectedShares: [1, 2, 5]) < chiSquareCritical(degrees: 2))
    }

    @Test("hash keys are stable across processes: FNV-1a + fmix64 of the bytes")
    func stableKey() {
        // Fixed expectations: a change here would remap every proxy's keys.
        #expect(HashKey("").hash == StableHash.mix(0xcbf2_9ce4_8422_2325))
        #expect(HashKey("abc") == HashKey(bytes: Array("abc".utf8)))
        #expect(HashKey(hash: 42).hash == 42)
    }

    @Test("the URI source ignores the query string unless asked")
    func uriSource() {
        let withQuery = Array("/img/logo.png?v=2".utf8)
        let without = Array("/img/logo.png".utf8)
        let noHeader: (String) -> String? = { _ in nil }
        #expect(HashKeySource.uri().key(clientAddress: [], uri: withQuery, headerValue: noHeader) == HashKey(bytes: without))
        #expect(HashKeySource.uri(includeQuery: true).key(clientAddress: [], uri: withQuery, headerValue: noHeader) == HashKey(bytes: withQuery))
    }

    @Test("the header source uses the header value, and nil when it is absent or empty (HAProxy: 'absent or … not any value')")
    func headerSource() {
        let source = HashKeySource.header("X-Tenant")
        #expect(source.key(clientAddress: [], uri: [], headerValue: { $0 == "X-Tenant" ? "acme" : nil }) == HashKey("acme"))
        #expect(source.key(clientAddress: [], uri: [], headerValue: { _ in nil }) == nil)
        #expect(source.key(clientAddress: [], uri: [], headerValue: { _ in "" }) == nil)
    }

    @Test("the client-address source hashes the address bytes only")
    func clientSource() {
        let key = HashKeySource.clientAddress.key(clientAddress: [203, 0, 113, 9], uri: Array("/x".utf8), headerValue: { _ in "ignored" })
        #expect(key == HashKey.clientAddress([203, 0, 113, 9]))
    }

    @Test("without a key, hash strategies take turns (HAProxy's round-robin fallback): equal weights share exactly",
          arguments: [ConfiguredStrategy.sourceHash, .ringHash(), .maglev()])
    func keyless(strategy: ConfiguredStrategy) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        try balancer.update(makeEndpoints(4), now: t0)
        // The balancer-wide path (the plan's own cursor)…
        let shared = Dictionary((0..<400).compactMap { _ in balancer.pickAndComplete() }.map { ($0, 1) }, uniquingKeysWith: +)
        #expect(shared.count == 4 && shared.values.allSatisfy { $0 == 100 }, "\(shared)")
        // …and a picker's (its own rotation).
        var picker = balancer.makePicker(seed: 7)
        let own = balancer.histogram(400, picker: &picker)
        #expect(own.count == 4 && own.values.allSatisfy { $0 == 100 }, "\(own)")
    }

    @Test("without a key, hash strategies give each endpoint its weight's share (within 2 %), bounded loads included",
          arguments: [ConfiguredStrategy.sourceHash, .ringHash(), .maglev(), .boundedLoadHash()])
    func keylessWeighted(strategy: ConfiguredStrategy) throws {
        let balancer = try LoadBalancer(strategy: strategy, now: t0)
        try balancer.update([endpoint("a", weight: 1), endpoint("b", weight: 2), endpoint("c", weight: 5)], now: t0)
        var picker = balancer.makePicker(seed: 11)
        let counts = balancer.histogram(8_000, picker: &picker)
        // A ring's arcs are only about proportional to the weights (160 points per weight step).
        let tolerance = strategy == .ringHash() || strategy == .boundedLoadHash() ? 0.04 : 0.02
        for (id, share) in [("a", 1.0 / 8), ("b", 2.0 / 8), ("c", 5.0 / 8)] {
            #expect(abs(Double(counts[id, default: 0]) / 8_000 - share) < tolerance, "\(id): \(counts)")
        }
    }
}
