/// Character classes of RFC 9110 §5.6.2 / RFC 9112 as bit tests, so the hot scanning loops do
/// one shift and mask per byte and never touch an array (no bounds checks, no lazy globals).
enum ByteClass {
    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|"
    //       / "~" / DIGIT / ALPHA   (RFC 9110 §5.6.2)
    // Bit n of `tcharLow` is byte n (0..<64); bit n of `tcharHigh` is byte 64 + n.
    private static let tcharLow: UInt64 = {
        var mask: UInt64 = 0
        for byte in Array("!#$%&'*+-.0123456789".utf8) { mask |= 1 << UInt64(byte) }
        return mask
    }()
    private static let tcharHigh: UInt64 = {
        var mask: UInt64 = 0
        for byte in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~".utf8) {
            mask |= 1 << UInt64(byte - 64)
        }
        return mask
    }()

    /// `0x21...0x3F` token bits, precomputed as a literal so the hot path does not hit a lazy
    /// global initialiser check: see `isTokenChar`.
    @usableFromInline static let tcharLowLiteral: UInt64 = 0x03FF_6CFA_0000_0000
    @usableFromInline static let tcharHighLiteral: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// True for a `tchar` (RFC 9110 §5.6.2): the bytes allowed in methods, field names,
    /// transfer-coding names and chunk-extension names.
    @inline(__always)
    static func isTokenChar(_ byte: UInt8) -> Bool {
        if byte < 64 { return (tcharLowLiteral >> UInt64(byte)) & 1 == 1 }
        if byte < 128 { return (tcharHighLiteral >> UInt64(byte &- 64)) & 1 == 1 }
        return false
    }

    /// True for a byte allowed inside a field value (RFC 9110 §5.5): field-vchar, SP, HTAB and
    /// obs-text. Everything else is a CTL (NUL, bare CR/LF, DEL ...) and makes the message invalid.
    @inline(__always)
    static func isFieldValueChar(_ byte: UInt8) -> Bool {
        (byte >= 0x20 && byte != 0x7F) || byte == 0x09
    }

    /// True for a byte of the request-target. RFC 3986 allows fewer, but real clients send
    /// `"`, `|`, `{` unescaped and none of those can change where a request ends; what we refuse
    /// is what can: whitespace, CTLs, DEL, and bytes >= 0x80 that backends decode differently.
    @inline(__always)
    static func isTargetChar(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    /// True for HTAB / SP (RFC 9110 §5.6.3 OWS).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Skips whole 8-byte words in which every byte is allowed in a field value and is not
    /// HTAB (no byte < 0x20, none == 0x7F); returns where the byte-wise scan must resume.
    /// SWAR ("SIMD within a register") tests from Hacker's Delight / the bit-twiddling hacks:
    /// `(w - n*ones) & ~w & highs` is non-zero iff some byte is < n (n <= 128).
    @inline(__always)
    static func skipFieldValueWords(_ p: UnsafeRawPointer, from start: Int, end: Int) -> Int {
        var i = start
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let below20 = (word &- 0x20 &* ones) & ~word & highs
            let del = word ^ (0x7F &* ones)
            let isDel = (del &- ones) & ~del & highs
            if below20 | isDel != 0 { break }
            i &+= 8
        }
        return i
    }

    /// Skips whole 8-byte words of request-target bytes (all in 0x21...0x7E).
    @inline(__always)
    static func skipTargetWords(_ p: UnsafeRawPointer, from start: Int, end: Int) -> Int {
        var i = start
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let below21 = (word &- 0x21 &* ones) & ~word & highs
            // A byte >= 0x7F has its high bit set already or gets it when 1 is added; carries
            // only come out of 0xFF bytes, which are caught by their own high bit.
            let above7E = (word | (word &+ ones)) & highs
            if below21 | above7E != 0 { break }
            i &+= 8
        }
        return i
    }

    /// Value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case 0x30...0x39: return UInt64(byte &- 0x30)
        case 0x41...0x46: return UInt64(byte &- 0x41 &+ 10)
        case 0x61...0x66: return UInt64(byte &- 0x61 &+ 10)
        default: return nil
        }
    }

    /// ASCII lowercase of one byte.
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// Computed masks, used by the tests to prove the literals above are right.
    static var computedTokenMasks: (low: UInt64, high: UInt64) { (tcharLow, tcharHigh) }
}
