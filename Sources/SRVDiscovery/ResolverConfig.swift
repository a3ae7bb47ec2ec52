public import NIOCore

/// How a ``DNSResolver`` talks to its nameservers: where they are, how long to wait, how
/// often to try, and how names without a trailing dot are expanded.
///
/// Build one explicitly, or parse a resolv.conf file with ``ResolvConfParser`` (the same
/// keywords and limits as glibc's resolver, see resolv.conf(5)). The defaults are glibc's
/// except the EDNS0 payload size, which follows the DNS Flag Day 2020 recommendation of
/// 1232 octets so that answers are not fragmented on common paths.
public struct ResolverConfig: Sendable, Hashable {
    /// glibc's `MAXNS`: at most three nameservers are used; later `nameserver` lines are ignored.
    public static let maximumNameservers = 3
    /// glibc's cap on `options timeout:` (RES_MAXRETRANS), in seconds.
    public static let maximumTimeoutSeconds = 30
    /// glibc's cap on `options attempts:` (RES_MAXRETRY).
    public static let maximumAttempts = 5
    /// glibc's cap on `options ndots:` (RES_MAXNDOTS).
    public static let maximumNdots = 15
    /// The conventional DNS port (RFC 1035 §4.2).
    public static let defaultPort = 53

    /// Nameservers in the order they are tried (IPv4 or IPv6, each with its own port).
    public var nameservers: [SocketAddress]
    /// How long one attempt waits for a matching answer from one nameserver.
    public var timeout: Duration
    /// How many rounds over all nameservers a query makes before it gives up (at least 1).
    public var attempts: Int
    /// The UDP payload size advertised in the EDNS0 OPT record (RFC 6891 §6.2.3).
    public var ednsPayloadSize: UInt16
    /// Domains appended to names that are not fully qualified (`search` / `domain`).
    public var searchDomains: [String]
    /// A name with at least this many dots is tried as absolute before the search list.
    public var ndots: Int
    /// Start each query at the next nameserver in turn instead of always at the first one.
    public var rotate: Bool

    /// Creates a configuration; the defaults match glibc's built-in ones (timeout 5 s,
    /// 2 attempts, ndots 1) with an EDNS0 payload size of 1232.
    public init(
        nameservers: [SocketAddress],
        timeout: Duration = .seconds(5),
        attempts: Int = 2,
        ednsPayloadSize: UInt16 = 1232,
        searchDomains: [String] = [],
        ndots: Int = 1,
        rotate: Bool = false
    ) {
        self.nameservers = nameservers
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.ednsPayloadSize = ednsPayloadSize
        self.searchDomains = searchDomains
        self.ndots = max(0, ndots)
        self.rotate = rotate
    }

    /// The names to try, in order, for a name as a user typed it (resolv.conf(5), "search"):
    /// a name ending in a dot is absolute and tried alone; a name with at least `ndots` dots is
    /// tried as-is first and then with each search domain; any other name is tried with each
    /// search domain first and as-is last.
    public func candidateNames(for name: String) -> [String] {
        if name.hasSuffix(".") { return [name] }
        let dots = name.reduce(0) { $0 + ($1 == "." ? 1 : 0) }
        let expanded = searchDomains.map { domain -> String in
            let suffix = domain.hasSuffix(".") ? String(domain.dropLast()) : domain
            return suffix.isEmpty ? name + "." : name + "." + suffix + "."
        }
        let absolute = name + "."
        return dots >= ndots ? [absolute] + expanded : expanded + [absolute]
    }
}
