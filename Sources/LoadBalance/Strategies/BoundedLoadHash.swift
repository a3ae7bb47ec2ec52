/// Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, 2018; HAProxy
/// `hash-balance-factor`): like ``RingHash``, but an endpoint already holding more than
/// `balanceFactor ×` its fair share of the requests in flight is skipped and the key walks
/// on along the ring. Keys keep their endpoint while it is not overloaded; a hot key
/// cannot swamp one endpoint.
///
/// Fair share of endpoint i: `ceil(balanceFactor × (inFlight_total + 1) × weight_i / Σweight)`,
/// so no endpoint ever exceeds `balanceFactor ×` the average (rounded up).
public struct BoundedLoadHash: BalancingStrategy, Hashable, ValidatedStrategy {
    /// The `c` of the paper, > 1: 1.25 allows 25 % above average.
    public var balanceFactor: Double
    /// Points on the ring per endpoint of the highest weight.
    public var virtualNodes: Int

    /// Creates the strategy.
    public init(balanceFactor: Double = 1.25, virtualNodes: Int = 160) {
        self.balanceFactor = balanceFactor
        self.virtualNodes = virtualNodes
    }

    /// Needs the table-wide in-flight total to compute fair shares.
    public var tracksTotalInFlight: Bool { true }

    /// Builds the ring for `candidates`.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        BoundedLoadPlan(ring: HashRing(candidates: candidates, virtualNodes: virtualNodes), candidates: candidates, balanceFactor: balanceFactor)
    }

    func validate() throws(LoadBalancerError) {
        if !(balanceFactor > 1) || !balanceFactor.isFinite {
            throw .invalidStrategy(strategy: "BoundedLoadHash", reason: "balanceFactor must be a finite number above 1, got \(balanceFactor)")
        }
        if !(1...10_000).contains(virtualNodes) {
            throw .invalidStrategy(strategy: "BoundedLoadHash", reason: "virtualNodes must be in 1...10000, got \(virtualNodes)")
        }
    }
}

extension BalancingStrategy where Self == BoundedLoadHash {
    /// Bounded-load consistent hashing with balance factor `c`.
    public static func boundedLoadHash(balanceFactor c: Double = 1.25) -> BoundedLoadHash {
        BoundedLoadHash(balanceFactor: c)
    }
}

final class BoundedLoadPlan: PickPlan {
    let ring: HashRing
    let keyless: KeylessRotation
    /// `balanceFactor × weight_i / Σweight`, so capacity_i = ceil(share_i × (total + 1)).
    let shares: ContiguousArray<Double>

    init(ring: HashRing, candidates: CandidateSet, balanceFactor: Double) {
        self.ring = ring
        self.keyless = KeylessRotation(candidates: candidates)
        var totalWeight = 0.0
        for index in 0..<candidates.count { totalWeight += Double(candidates.hashWeight(at: index)) }
        var shares = ContiguousArray<Double>()
        shares.reserveCapacity(candidates.count)
        for index in 0..<candidates.count {
            shares.append(balanceFactor * Double(candidates.hashWeight(at: index)) / totalWeight)
        }
        self.shares = shares
    }

    func pick(_ input: PickInput, in candidates: CandidateSet) -> Int {
        let total = Double(candidates.totalInFlight + 1)
        // Without a key the walk starts at the request's turn (round robin, as HAProxy falls
        // back to), still bounded by the loads.
        let start = input.key.map { ring.position(for: StableHash.mix($0.hash)) }
            ?? ring.position(for: keyless.point(input))
        var position = start
        for _ in 0..<ring.count {
            let owner = ring.owner(at: position)
            if Double(candidates.inFlight(at: owner)) < (shares[owner] * total).rounded(.up) {
                return owner
            }
            position += 1
            if position == ring.count { position = 0 }
        }
        // Unreachable while capacities sum to more than the total; stay on the key's owner.
        return ring.owner(at: start)
    }
}
