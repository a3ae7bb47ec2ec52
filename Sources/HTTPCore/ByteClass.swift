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
