/// A small, fast, seedable random number generator (Steele, Lea & Flood's SplitMix64).
///
/// Pickers draw one or two numbers per pick; `SystemRandomNumberGenerator` costs a system
/// call each time on Linux, and load balancing needs spread, not secrecy. Seed it to make a
/// picker's choices reproducible in tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// Creates a generator seeded from the system generator.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.state = system.next()
    }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= StableHash.golden
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
