/// Source hash (HAProxy `balance source`, map-based): the key — usually the client address —
/// alone decides the endpoint, weighted, in O(1).
///
/// Cheaper than the consistent strategies but not consistent: any change of membership or
/// health remaps most keys. Use ``RingHash`` or ``Maglev`` when affinity must survive
/// scaling. Without a key the picks take turns (round robin), as HAProxy's
/// round-robin fallback does.
public struct SourceHash: BalancingStrategy {
    /// Creates the strategy.
    public init() {}

    /// Builds the weighted key map for `candidates`.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        AliasPlan(candidates: candidates, usesKey: true, weight: candidates.hashWeight(at:))
    }
}

extension BalancingStrategy where Self == SourceHash {
    /// Map-based source hash.
    public static var sourceHash: SourceHash { SourceHash() }
}
