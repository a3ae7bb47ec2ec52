/// Maglev consistent hashing (Eisenbud et al., NSDI 2016; Envoy `MAGLEV`): a lookup table of
/// prime size M filled from per-endpoint permutations, so a pick is one array read and
/// load is even to within ~1 % while adding or removing one of n endpoints remaps only a
/// little more than 1/n of the keys.
///
/// M must be prime (each permutation then visits every slot) and much larger than n; the
/// table is sized as the smallest prime ≥ `minimumTableSize` that also gives at least 64
/// slots per endpoint, chosen from a fixed ladder (≈ 65,537 × 4^k) so that M — and with it
/// every key's slot — only changes when the endpoint count crosses a rung.
/// Weights fill slots proportionally. Without a key the picks take turns (round robin), as
/// HAProxy's fallback for a request without the hashed header or parameter does.
public struct Maglev: BalancingStrategy, Hashable, ValidatedStrategy {
    /// Lower bound of the table size; must be prime. 65,537 is Envoy's default.
    public var minimumTableSize: Int

    /// Creates the strategy.
    public init(minimumTableSize: Int = 65_537) {
        self.minimumTableSize = minimumTableSize
    }

    /// Fills the lookup table for `candidates`.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        MaglevPlan(candidates: candidates, size: Maglev.tableSize(for: candidates.count, minimum: minimumTableSize))
    }

    func validate() throws(LoadBalancerError) {
        if minimumTableSize < 2 || minimumTableSize > 1 << 28 || !Maglev.isPrime(minimumTableSize) {
            throw .invalidStrategy(strategy: "Maglev", reason: "minimumTableSize must be a prime in 2...2^28, got \(minimumTableSize)")
        }
    }

    /// The table size for `count` endpoints: the first ladder rung with ≥ 64 slots each.
    static func tableSize(for count: Int, minimum: Int) -> Int {
        var rung = 65_536
        while rung < count * 64 && rung < 1 << 28 { rung *= 4 }
        return rung <= minimum ? minimum : nextPrime(rung)
    }

    static func nextPrime(_ value: Int) -> Int {
        var candidate = max(2, value)
        while !isPrime(candidate) { candidate += 1 }
        return candidate
    }

    static func isPrime(_ value: Int) -> Bool {
        if value < 2 { return false }
        if value % 2 == 0 { return value == 2 }
        var divisor = 3
        while divisor * divisor <= value {
            if value % divisor == 0 { return false }
            divisor += 2
        }
        return true
    }
}

extension BalancingStrategy where Self == Maglev {
    /// Maglev with Envoy's default table size.
    public static var maglev: Maglev { Maglev() }
}

final class MaglevPlan: PickPlan {
    let table: ContiguousArray<UInt32>
    let keyless: KeylessRotation

    /// Maglev's population: endpoints take turns claiming the next free slot of their own
    /// permutation `(offset + j × skip) mod M`; a weighted endpoint takes a turn whenever
    /// its accumulated weight reaches the largest weight (Envoy's weighted variant).
    init(candidates: CandidateSet, size: Int) {
        keyless = KeylessRotation(candidates: candidates)
        let n = candidates.count
        let empty = UInt32.max
        var table = ContiguousArray<UInt32>(repeating: empty, count: size)
        var next = ContiguousArray<Int>(repeating: 0, count: n)
        var skip = ContiguousArray<Int>(repeating: 1, count: n)
        var credit = ContiguousArray<UInt64>(repeating: 0, count: n)
        var maxWeight: UInt64 = 1
        for index in 0..<n {
            let identity = candidates.identityHash(at: index)
            next[index] = Int(identity % UInt64(size))
            skip[index] = Int(StableHash.mix(identity ^ StableHash.golden) % UInt64(size - 1)) + 1
            maxWeight = max(maxWeight, UInt64(candidates.hashWeight(at: index)))
        }
        var filled = 0
        fill: while true {
            for index in 0..<n {
                credit[index] += UInt64(candidates.hashWeight(at: index))
                if credit[index] < maxWeight { continue }
                credit[index] -= maxWeight
                var slot = next[index]
                while table[slot] != empty {
                    slot += skip[index]
                    if slot >= size { slot -= size }
                }
                table[slot] = UInt32(truncatingIfNeeded: index)
                slot += skip[index]
                next[index] = slot >= size ? slot - size : slot
                filled += 1
                if filled == size { break fill }
            }
        }
        self.table = table
    }

    func pick(_ input: PickInput, in candidates: CandidateSet) -> Int {
        guard let key = input.key else {
            return keyless.pick(input) { Int(truncatingIfNeeded: table[StableHash.reduce($0, into: table.count)]) }
        }
        return Int(truncatingIfNeeded: table[StableHash.reduce(StableHash.mix(key.hash), into: table.count)])
    }
}
