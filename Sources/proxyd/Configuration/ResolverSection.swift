/// A named DNS resolver that backends discover their endpoints through (HAProxy `resolvers`).
struct ResolverSection: Sendable, Hashable {
    enum Nameservers: Sendable, Hashable {
        /// Explicit `address:port` pairs.
        case explicit([BindAddress])
        /// Read nameservers, search and options from a resolv.conf file.
        case resolvConf(path: String)
    }

    var name: String
    var nameservers: Nameservers
    var timeout: Duration = .seconds(1)
    var attempts: Int = 3
    /// EDNS0 UDP payload size; 1232 avoids IP fragmentation (DNS Flag Day 2020).
    var payloadSize: Int = 1232
    /// How long the last good endpoint set survives resolver failures (timeouts, SERVFAIL).
    var holdOnFailure: Duration = .seconds(300)
    /// How long it survives NXDOMAIN or an empty answer.
    var holdOnNXDomain: Duration = .seconds(30)
    /// How long an endpoint missing from one answer is kept before removal, so that a
    /// rotating subset (Route53's 8-record cap) or one lost answer causes no churn.
    var removalGrace: Duration = .seconds(30)
    /// TTLs are honoured within this range.
    var minimumTTL: Duration = .seconds(1)
    var maximumTTL: Duration = .seconds(300)
    var location: SourceLocation
}
