/// Weighted random: each pick chooses an endpoint with probability weight / total weight,
/// independently — no shared cursor at all, O(1) through an alias table.
public struct WeightedRandom: BalancingStrategy {
    /// Creates the strategy.
    public init() {}

    /// Builds the alias table for `candidates`.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        AliasPlan(candidates: candidates, weight: candidates.weight(at:))
    }
}

extension BalancingStrategy where Self == WeightedRandom {
    /// Weighted random.
    public static var weightedRandom: WeightedRandom { WeightedRandom() }
}

/// A plan that is a weighted draw (weighted random, source hash).
final class AliasPlan: PickPlan {
    let table: AliasTable
    /// Hash keys instead of random numbers decide the draw (source hash).
    let usesKey: Bool
    /// Source hash without a key: turns rather than a random draw.
    let keyless: KeylessRotation?

    init(candidates: CandidateSet, usesKey: Bool = false, weight: (Int) -> UInt32) {
        var uniform = true
        let first = weight(0)
        for index in 0..<candidates.count where weight(index) != first {
            uniform = false
            break
        }
        self.table = AliasTable(count: candidates.count, isUniform: uniform, weight: weight)
        self.usesKey = usesKey
        self.keyless = usesKey ? KeylessRotation(candidates: candidates) : nil
    }

    func pick(_ input: PickInput, in candidates: CandidateSet) -> Int {
        if usesKey, let key = input.key {
            // Re-mix: a caller's precomputed hash may have weak high bits.
            return table.pick(StableHash.mix(key.hash))
        }
        if let keyless { return keyless.pick(input) { table.pick($0) } }
        return table.pick(input.random)
    }
}
