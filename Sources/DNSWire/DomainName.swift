/// A fully qualified domain name, held in DNS wire form (RFC 1035 §3.1).
///
/// A name is a sequence of labels of 1–63 octets each, ending with the empty root label, at
/// most 255 octets in wire form; every `DomainName` value keeps these limits (they are
/// checked by the text parser and the decoder), so any name can be encoded.
///
/// Comparison and hashing ignore ASCII case (RFC 4343 §3) and nothing else: the octets of a
/// label are not interpreted as UTF-8 or IDNA.
///
/// Storage: a decoded name does not copy its labels out of the message. It keeps a reference to
/// the message bytes and the offset where it starts, compression pointers included (they were
/// validated by the decoder), so decoding allocates nothing per name. Keeping such a name alive
/// keeps that message's bytes (at most 64 KiB) alive too.
public struct DomainName: Sendable {
    /// Either the name's own uncompressed wire form, or the bytes of the message it came from.
    let storage: [UInt8]
    /// Where the name starts in `storage`.
    let offset: UInt16
    /// Length of the uncompressed wire form, root octet included (1–255).
    let wireLength: UInt8
    /// Whether the name in `storage` reaches some of its labels through compression pointers.
    let isCompressed: Bool

    /// Wraps bytes that the caller has already validated as a name.
    init(storage: [UInt8], offset: Int, wireLength: Int, isCompressed: Bool) {
        self.storage = storage
        self.offset = UInt16(truncatingIfNeeded: offset)
        self.wireLength = UInt8(truncatingIfNeeded: wireLength)
        self.isCompressed = isCompressed
    }

    /// The root name, `.`.
    public static let root = DomainName(storage: [0], offset: 0, wireLength: 1, isCompressed: false)

    /// Whether this is the root name `.`.
    public var isRoot: Bool { wireLength == 1 }

    /// Number of labels, not counting the root label (`_http._tcp.example.` has 3).
    public var labelCount: Int {
        withUncompressedBytes { bytes in
            var count = 0
            var position = 0
            while position < bytes.count, bytes[position] != 0 {
                count += 1
                position += Int(bytes[position]) + 1
            }
            return count
        }
    }

    /// The number of octets the name takes in uncompressed wire form, root octet included.
    public var encodedLength: Int { Int(wireLength) }

    /// The uncompressed wire form: length-prefixed labels ending with a zero octet.
    public var wireBytes: [UInt8] {
        withUncompressedBytes { Array($0) }
    }

    /// Whether this name equals `other` or lies below it (`a.b.example.` is a subdomain of
    /// `example.`; every name is a subdomain of the root). Compares whole labels, ignoring case.
    public func isSubdomain(of other: DomainName) -> Bool {
        guard wireLength >= other.wireLength else { return false }
        return withUncompressedBytes { mine in
            other.withUncompressedBytes { theirs in
                // Walk our labels until the remaining suffix is as long as `other`.
                var position = 0
                while mine.count - position > theirs.count {
                    position += Int(mine[position]) + 1
                }
                guard mine.count - position == theirs.count else { return false }
                return DomainName.equalIgnoringCase(
                    UnsafeBufferPointer(rebasing: mine[position...]), theirs)
            }
        }
    }

    /// Calls `body` with the uncompressed wire form of the name, without allocating.
    func withUncompressedBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let start = Int(offset)
        let length = Int(wireLength)
        if !isCompressed {
            return storage.withUnsafeBufferPointer { all in
                // `storage` always holds the whole name; the clamp only guards against misuse.
                let end = min(start + length, all.count)
                return body(UnsafeBufferPointer(rebasing: all[min(start, end)..<end]))
            }
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { scratch in
            let count = storage.withUnsafeBufferPointer { all in
                DomainName.decompress(all, from: start, into: scratch)
            }
            return body(UnsafeBufferPointer(rebasing: scratch[..<count]))
        }
    }

    /// Copies a validated, possibly compressed name into `scratch` (256 octets) and returns its
    /// length. Bounded even on bytes that were never validated: it stops at the end of the input,
    /// after 255 octets, or after 255 pointers, always ending the output with a root octet.
    static func decompress(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into scratch: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var position = start
        var written = 0
        var hops = 0
        while position < bytes.count {
            let octet = bytes[position]
            if octet & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count, hops < 255 else { break }
                hops += 1
                position = Int(octet & 0x3F) << 8 | Int(bytes[position + 1])
                continue
            }
            let length = Int(octet & 0x3F)
            guard length > 0, position + 1 + length <= bytes.count, written + 1 + length < 255 else { break }
            scratch[written] = octet
            for index in 0..<length { scratch[written + 1 + index] = bytes[position + 1 + index] }
            written += 1 + length
            position += 1 + length
        }
        scratch[written] = 0
        return written + 1
    }

    /// Byte-wise comparison ignoring ASCII case. Safe on whole wire forms: length octets are
    /// below 64 and so never fall in the `A`–`Z` range that is folded.
    static func equalIgnoringCase(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<lhs.count where lhs[index] != rhs[index] {
            if asciiLowercased(lhs[index]) != asciiLowercased(rhs[index]) { return false }
        }
        return true
    }

    /// Folds `A`–`Z` to `a`–`z` and leaves every other octet alone (RFC 4343 §3).
    @inline(__always)
    static func asciiLowercased(_ octet: UInt8) -> UInt8 {
        octet &- 0x41 < 26 ? octet | 0x20 : octet
    }
}

extension DomainName: Hashable {
    /// Names are equal when their labels are equal ignoring ASCII case (RFC 4343 §3).
    public static func == (lhs: DomainName, rhs: DomainName) -> Bool {
        guard lhs.wireLength == rhs.wireLength else { return false }
        return lhs.withUncompressedBytes { left in
            rhs.withUncompressedBytes { right in equalIgnoringCase(left, right) }
        }
    }

    /// Hashes the lowercased wire form, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        withUncompressedBytes { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { lowered in
                for index in 0..<bytes.count { lowered[index] = DomainName.asciiLowercased(bytes[index]) }
                hasher.combine(bytes: UnsafeRawBufferPointer(lowered))
            }
        }
    }
}
