/// One field line of a parsed head or trailer section, as offsets into the parsed bytes.
///
/// Nothing is copied: the name is `nameRange`, the value (without the optional whitespace
/// around it, RFC 9110 §5.5) is `valueRange`, both indexing the buffer that was parsed. Offsets
/// are 32-bit because a head is bounded by `HTTPParserLimits.maxHeaderSectionSize`; this keeps
/// the per-field record at 20 bytes so a head's field table stays in one or two cache lines.
public struct HTTPField: Hashable, Sendable {
    @usableFromInline var nameStart: UInt32
    @usableFromInline var nameEnd: UInt32
    @usableFromInline var valueStart: UInt32
    @usableFromInline var valueEnd: UInt32
    /// Which of the fields with protocol meaning this is (`.other` for the rest).
    public let known: HTTPKnownField

    init(nameStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int, known: HTTPKnownField) {
        self.nameStart = UInt32(truncatingIfNeeded: nameStart)
        self.nameEnd = UInt32(truncatingIfNeeded: nameEnd)
        self.valueStart = UInt32(truncatingIfNeeded: valueStart)
        self.valueEnd = UInt32(truncatingIfNeeded: valueEnd)
        self.known = known
    }

    /// Where the field name is.
    @inlinable public var nameRange: Range<Int> { Int(nameStart)..<Int(nameEnd) }
    /// Where the value is, without leading and trailing whitespace.
    @inlinable public var valueRange: Range<Int> { Int(valueStart)..<Int(valueEnd) }

    /// The same field with every offset moved by `delta` (used when a head is rebased into
    /// a slice of the buffer it was parsed from).
    func shifted(by delta: Int) -> HTTPField {
        HTTPField(
            nameStart: Int(nameStart) + delta, nameEnd: Int(nameEnd) + delta,
            valueStart: Int(valueStart) + delta, valueEnd: Int(valueEnd) + delta, known: known)
    }
}

/// Field names that change how a message is framed, routed or forwarded, recognised once while
/// parsing so that no one compares names as strings afterwards.
public enum HTTPKnownField: UInt8, Hashable, Sendable {
    /// Any field without protocol meaning here.
    case other
    /// Host (RFC 9110 §7.2).
    case host
    /// Content-Length (RFC 9110 §8.6).
    case contentLength
    /// Transfer-Encoding (RFC 9112 §6.1).
    case transferEncoding
    /// Connection (RFC 9110 §7.6.1).
    case connection
    /// Upgrade (RFC 9110 §7.8).
    case upgrade
    /// Expect (RFC 9110 §10.1.1).
    case expect
    /// Keep-Alive (RFC 2068 §19.7.1, hop-by-hop).
    case keepAlive
    /// Proxy-Connection (non-standard, hop-by-hop).
    case proxyConnection
    /// TE (RFC 9110 §10.1.4).
    case te
    /// Trailer (RFC 9110 §6.6.2).
    case trailer
    /// Proxy-Authenticate (RFC 9110 §11.7.1).
    case proxyAuthenticate
    /// Proxy-Authorization (RFC 9110 §11.7.2).
    case proxyAuthorization

    /// True for the hop-by-hop fields a proxy removes before forwarding (RFC 9110 §7.6.1:
    /// Connection and the fields it names, Proxy-Connection, Keep-Alive, TE, Upgrade; plus
    /// Trailer and the Proxy-Auth pair, which RFC 2616 §13.5.1 listed and every proxy strips).
    /// Transfer-Encoding is hop-by-hop too, but it describes the framing the proxy re-emits,
    /// so the serializer keeps it with the body it frames.
    public var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .upgrade, .trailer,
            .proxyAuthenticate, .proxyAuthorization:
            return true
        default:
            return false
        }
    }

    /// Classifies a field name (case-insensitive, RFC 9110 §5.1) from its bytes.
    static func classify(_ p: UnsafeRawPointer, _ start: Int, _ end: Int) -> HTTPKnownField {
        switch end - start {
        case 2: return ASCII.equalsLower(p, start, "te") ? .te : .other
        case 4: return ASCII.equalsLower(p, start, "host") ? .host : .other
        case 6: return ASCII.equalsLower(p, start, "expect") ? .expect : .other
        case 7:
            if ASCII.equalsLower(p, start, "upgrade") { return .upgrade }
            if ASCII.equalsLower(p, start, "trailer") { return .trailer }
            return .other
        case 10:
            if ASCII.equalsLower(p, start, "connection") { return .connection }
            if ASCII.equalsLower(p, start, "keep-alive") { return .keepAlive }
            return .other
        case 14: return ASCII.equalsLower(p, start, "content-length") ? .contentLength : .other
        case 16: return ASCII.equalsLower(p, start, "proxy-connection") ? .proxyConnection : .other
        case 17: return ASCII.equalsLower(p, start, "transfer-encoding") ? .transferEncoding : .other
        case 18: return ASCII.equalsLower(p, start, "proxy-authenticate") ? .proxyAuthenticate : .other
        case 19: return ASCII.equalsLower(p, start, "proxy-authorization") ? .proxyAuthorization : .other
        default: return .other
        }
    }
}

/// Small byte helpers shared by the parser and the serializer.
enum ASCII {
    /// Compares `literal` (lowercase letters, digits and '-') with the bytes at `start`,
    /// ignoring ASCII case. OR-ing 0x20 maps 'A'...'Z' to 'a'...'z' and leaves '-' and digits
    /// alone; no other token byte can become a letter that way, so this is exact for tokens.
    @inline(__always)
    static func equalsLower(_ p: UnsafeRawPointer, _ start: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        let lit = literal.utf8Start
        for i in 0..<count where p.load(fromByteOffset: start + i, as: UInt8.self) | 0x20 != lit[i] {
            return false
        }
        return true
    }

    /// Case-insensitive (ASCII) comparison of bytes with a name.
    @inline(__always)
    static func equalsIgnoringCase(_ p: UnsafeRawPointer, _ range: Range<Int>, _ name: String) -> Bool {
        let utf8 = name.utf8
        guard range.count == utf8.count else { return false }
        var i = range.lowerBound
        for byte in utf8 {
            if ByteClass.lower(p.load(fromByteOffset: i, as: UInt8.self)) != ByteClass.lower(byte) { return false }
            i += 1
        }
        return true
    }

    /// Case-insensitive (ASCII) comparison of two names.
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { ByteClass.lower($0) == ByteClass.lower($1) }
    }

    /// Case-insensitive comparison of bytes with an already-lowercased byte array.
    @inline(__always)
    static func equalsLower(_ p: UnsafeRawPointer, _ range: Range<Int>, _ lowered: [UInt8]) -> Bool {
        guard range.count == lowered.count else { return false }
        var j = 0
        for i in range {
            if ByteClass.lower(p.load(fromByteOffset: i, as: UInt8.self)) != lowered[j] { return false }
            j += 1
        }
        return true
    }

    /// A lowercased String from bytes, for error messages only (never on the hot path).
    static func string(_ p: UnsafeRawPointer, _ start: Int, _ end: Int) -> String {
        let buffer = UnsafeRawBufferPointer(start: p + start, count: max(0, end - start))
        return String(decoding: buffer, as: UTF8.self).lowercased()
    }
}
