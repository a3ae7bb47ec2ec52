/// `method GET HEAD`: HAProxy's method ACL (src/http_acl.c `pat_match_meth`). A pattern that
/// is one of HAProxy's eight known methods (GET HEAD POST PUT DELETE OPTIONS TRACE CONNECT,
/// exact case) matches exactly that method; any other pattern matches a request whose method
/// is not one of those eight and equals it as bytes, or ignoring case under `-i`. So
/// `method get` matches a request sent as `get` but not `GET`, as in HAProxy, and `-i` only
/// widens the non-standard patterns.
struct ACLMethodMatch: Sendable, Hashable {
    /// The patterns as written (lower-cased for the non-standard ones under `-i`).
    let patterns: [String]
    let ignoreCase: Bool
    /// Which patterns are known methods, worked out once at load.
    private let known: [Bool]

    /// HAProxy's known methods, which it recognises by exact bytes.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT"]

    init(patterns: [String], ignoreCase: Bool = false) {
        self.patterns = patterns.map { ignoreCase && !Self.knownMethods.contains($0) ? ACLBytes.lowercased($0) : $0 }
        self.ignoreCase = ignoreCase
        self.known = self.patterns.map(Self.knownMethods.contains)
    }

    /// Whether a request method, given as its bytes, matches.
    func matches(_ method: UnsafeRawBufferPointer) -> Bool {
        let isKnown = Self.isKnown(method)
        for index in patterns.indices {
            if known[index] {
                if ACLBytes.equal(method, 0, method.count, patterns[index], false) { return true }
            } else if !isKnown && ACLBytes.equal(method, 0, method.count, patterns[index], ignoreCase) {
                return true
            }
        }
        return false
    }

    private static func isKnown(_ method: UnsafeRawBufferPointer) -> Bool {
        switch method.count {
        case 3: ACLBytes.equal(method, 0, 3, "GET", false) || ACLBytes.equal(method, 0, 3, "PUT", false)
        case 4: ACLBytes.equal(method, 0, 4, "HEAD", false) || ACLBytes.equal(method, 0, 4, "POST", false)
        case 5: ACLBytes.equal(method, 0, 5, "TRACE", false)
        case 6: ACLBytes.equal(method, 0, 6, "DELETE", false)
        case 7: ACLBytes.equal(method, 0, 7, "OPTIONS", false) || ACLBytes.equal(method, 0, 7, "CONNECT", false)
        default: false
        }
    }
}
