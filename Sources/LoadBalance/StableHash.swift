/// The hash functions behind every consistent-hash decision.
///
/// Swift's `Hasher` is seeded per process, which would make two proxies (or one proxy after a
/// restart) map the same key to different endpoints. These functions are fixed forever:
/// FNV-1a over the bytes, then MurmurHash3's 64-bit finaliser for avalanche, because FNV
/// alone leaves the high bits weak and ring/Maglev positions use the high bits.
enum StableHash {
    static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3
    /// Used to derive independent values (virtual nodes, Maglev skip) from one hash.
    static let golden: UInt64 = 0x9e37_79b9_7f4a_7c15

    /// FNV-1a over `bytes`, finalised with ``mix(_:)``.
    @inlinable
    static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var h = fnvOffset
        for byte in bytes {
            h = (h ^ UInt64(byte)) &* fnvPrime
        }
        return mix(h)
    }

    /// MurmurHash3 fmix64: a bijection on 64 bits with full avalanche.
    @inlinable
    static func mix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    /// Maps a uniformly distributed `value` onto `0..<count` without division bias worth
    /// caring about (Lemire's multiply-shift).
    @inlinable
    static func reduce(_ value: UInt64, into count: Int) -> Int {
        Int(truncatingIfNeeded: value.multipliedFullWidth(by: UInt64(count)).high)
    }
}
