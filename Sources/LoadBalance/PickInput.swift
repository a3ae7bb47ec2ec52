/// What one pick hands a ``PickPlan``: the request's hash key and the per-pick sequence and
/// randomness, drawn by the caller's picker so plans stay free of mutable state.
public struct PickInput: Sendable {
    /// The request's hash key, if the caller has one.
    public var key: HashKey?
    /// 64 random bits for this pick.
    public var random: UInt64
    /// Another 64 independent random bits (power of two choices needs two draws).
    public var secondRandom: UInt64
    /// Position in the caller's own rotation, or `nil` when the caller has none (the
    /// balancer-wide pick path); round robin then uses the plan's shared atomic cursor.
    public var ticket: UInt64?

    /// Creates an input.
    public init(key: HashKey?, random: UInt64, secondRandom: UInt64, ticket: UInt64?) {
        self.key = key
        self.random = random
        self.secondRandom = secondRandom
        self.ticket = ticket
    }

    /// The `n`-th random value of this pick (0 and 1 are ``random`` and ``secondRandom``;
    /// later ones are derived by hashing).
    @inline(__always)
    public func random(_ n: Int) -> UInt64 {
        switch n {
        case 0: return random
        case 1: return secondRandom
        default: return StableHash.mix(random &+ UInt64(truncatingIfNeeded: n) &* StableHash.golden)
        }
    }
}
