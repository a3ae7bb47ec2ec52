/// The request methods whose semantics change framing or forwarding, recognised during
/// parsing so nobody compares strings afterwards. Any other token is valid too
/// (RFC 9110 §9.1: the method set is extensible) and reads `.other`; its bytes are in
/// `HTTPHead.methodRange`.
public enum HTTPMethod: Hashable, Sendable {
    /// The methods of RFC 9110 §9.3 and PATCH (RFC 5789), recognised by exact bytes.
    case get, head, post, put, delete, connect, options, trace, patch
    /// Any other token; look at the bytes for its name.
    case other

    /// Recognises a method from its bytes (case-sensitive, RFC 9110 §9.1).
    static func classify(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTPMethod {
        let length = end - start
        @inline(__always) func at(_ i: Int) -> UInt8 { bytes[start + i] }
        switch length {
        case 3:
            if at(0) == 0x47, at(1) == 0x45, at(2) == 0x54 { return .get }  // GET
            if at(0) == 0x50, at(1) == 0x55, at(2) == 0x54 { return .put }  // PUT
        case 4:
            if at(0) == 0x50, at(1) == 0x4F, at(2) == 0x53, at(3) == 0x54 { return .post }  // POST
            if at(0) == 0x48, at(1) == 0x45, at(2) == 0x41, at(3) == 0x44 { return .head }  // HEAD
        case 5:
            if equals(bytes, start, "PATCH") { return .patch }
            if equals(bytes, start, "TRACE") { return .trace }
        case 6:
            if equals(bytes, start, "DELETE") { return .delete }
        case 7:
            if equals(bytes, start, "CONNECT") { return .connect }
            if equals(bytes, start, "OPTIONS") { return .options }
        default:
            break
        }
        return .other
    }

    /// The method's name for the known cases, nil for `.other`.
    public var knownName: String? {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .connect: "CONNECT"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .patch: "PATCH"
        case .other: nil
        }
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        let pointer = literal.utf8Start
        for i in 0..<count where bytes[start + i] != pointer[i] { return false }
        return true
    }
}
