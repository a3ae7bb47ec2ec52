/// Why a lookup produced no records, each case distinct so that callers can react to it:
/// an authoritative "no such name" or "no such type" is not an outage, an outage is not a
/// refusal.
public enum ResolverError: Error, Sendable, Hashable, CustomStringConvertible {
    /// NXDOMAIN (RCODE 3): the name does not exist (RFC 1035 §4.1.1). `negativeTTL` is how
    /// long that may be cached, from the SOA in the authority section (RFC 2308 §5).
    case nameError(name: String, negativeTTL: UInt32?)
    /// NOERROR without records of the asked type: the name exists but has none (RFC 2308 §2.2).
    case noData(name: String, type: String, negativeTTL: UInt32?)
    /// SERVFAIL (RCODE 2) from every nameserver that answered.
    case serverFailure(nameserver: String)
    /// REFUSED (RCODE 5) from every nameserver that answered.
    case refused(nameserver: String)
    /// Another RCODE (FORMERR, NOTIMP, ...) that makes the answer unusable.
    case unexpectedResponseCode(code: UInt16, nameserver: String)
    /// No matching answer arrived within the timeout on any attempt.
    case timeout(name: String, attempts: Int)
    /// An answer was truncated (TC) and the TCP retry failed; carries what went wrong over TCP.
    case truncatedAndTCPFailed(nameserver: String, reason: String)
    /// A CNAME chain longer than the bound, or looping back on itself.
    case cnameChainTooLong(name: String, limit: Int)
    /// The name cannot be put on the wire (a label over 63 octets, a name over 255, empty label).
    case invalidName(String)
    /// The configuration lists no nameserver.
    case noNameservers
    /// A socket could not be opened or written (local failure, not the server's).
    case transport(String)
    /// Every caller waiting for the lookup was cancelled.
    case cancelled

    /// True for the authoritative "nothing there" answers (NXDOMAIN and NODATA), which a
    /// watcher treats differently from outages.
    public var isAuthoritativeEmpty: Bool {
        switch self {
        case .nameError, .noData: return true
        default: return false
        }
    }

    /// The negative-caching TTL of NXDOMAIN/NODATA, if the server sent a SOA.
    public var negativeTTL: UInt32? {
        switch self {
        case .nameError(_, let ttl), .noData(_, _, let ttl): return ttl
        default: return nil
        }
    }

    /// One line for logs.
    public var description: String {
        switch self {
        case .nameError(let name, _): return "NXDOMAIN for \(name)"
        case .noData(let name, let type, _): return "no \(type) records for \(name)"
        case .serverFailure(let server): return "SERVFAIL from \(server)"
        case .refused(let server): return "REFUSED by \(server)"
        case .unexpectedResponseCode(let code, let server): return "response code \(code) from \(server)"
        case .timeout(let name, let attempts): return "no answer for \(name) after \(attempts) attempt(s)"
        case .truncatedAndTCPFailed(let server, let reason): return "truncated answer from \(server) and TCP retry failed: \(reason)"
        case .cnameChainTooLong(let name, let limit): return "CNAME chain from \(name) longer than \(limit) or looping"
        case .invalidName(let name): return "invalid name \(name)"
        case .noNameservers: return "no nameservers configured"
        case .transport(let detail): return "transport failure: \(detail)"
        case .cancelled: return "lookup cancelled"
        }
    }
}
