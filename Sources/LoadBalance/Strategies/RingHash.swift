/// Consistent hashing on a ring with virtual nodes (Envoy `RING_HASH`, HAProxy
/// `hash-type consistent`): a key keeps its endpoint across membership changes; adding or
/// removing one of n endpoints moves only about 1/n of the keys, and only to or from that
/// endpoint.
///
/// Each endpoint gets `virtualNodes × weight / maxWeight` points; more points mean a more
/// even spread (std. deviation of a share ≈ 1/√points) and a bigger table. Without a key
/// the picks take turns (round robin), as HAProxy's round-robin fallback does.
public struct RingHash: BalancingStrategy, Hashable, ValidatedStrategy {
    /// Points on the ring per endpoint of the highest weight.
    public var virtualNodes: Int

    /// Creates the strategy; 160 points per endpoint as in ketama.
    public init(virtualNodes: Int = 160) {
        self.virtualNodes = virtualNodes
    }

    /// Builds the ring for `candidates`.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        RingHashPlan(ring: HashRing(candidates: candidates, virtualNodes: virtualNodes), keyless: KeylessRotation(candidates: candidates))
    }

    func validate() throws(LoadBalancerError) {
        if !(1...10_000).contains(virtualNodes) {
            throw .invalidStrategy(strategy: "RingHash", reason: "virtualNodes must be in 1...10000, got \(virtualNodes)")
        }
    }
}

extension BalancingStrategy where Self == RingHash {
    /// Ring hash with 160 virtual nodes per endpoint.
    public static var ringHash: RingHash { RingHash() }
}

final class RingHashPlan: PickPlan {
    let ring: HashRing
    let keyless: KeylessRotation

    init(ring: HashRing, keyless: KeylessRotation) {
        self.ring = ring
        self.keyless = keyless
    }

    func pick(_ input: PickInput, in candidates: CandidateSet) -> Int {
        guard let key = input.key else { return keyless.pick(input) { ring.owner(at: ring.position(for: $0)) } }
        return ring.owner(at: ring.position(for: StableHash.mix(key.hash)))
    }
}
