public import NIOCore
public import SRVDiscovery

/// Where a ``DiscoveredEndpoints`` pool sends its DNS queries.
///
/// On ECS and EC2 the answer is the machine's own resolver (`.system`, the VPC's Route 53
/// Resolver that serves Cloud Map's private namespaces). Tests and special setups name their
/// nameservers instead, so nothing ever depends on what the machine happens to be configured
/// with.
public enum ResolverSource: Sendable, Hashable {
    /// The nameservers, search list and options of `/etc/resolv.conf`, read once when the
    /// pool is created (as glibc reads it when a process starts).
    case system
    /// The nameservers, search list and options of another resolv.conf-format file.
    case resolvConf(path: String)
    /// These nameservers (IPv4 or IPv6, each with its port), glibc's defaults otherwise
    /// (timeout 5 s, 2 attempts).
    case nameservers([SocketAddress])
    /// A complete resolver configuration (timeouts, attempts, search list, EDNS0 size).
    case configuration(ResolverConfig)

    /// The path `.system` reads.
    public static let systemResolvConfPath = "/etc/resolv.conf"

    /// The resolver configuration this source stands for.
    ///
    /// - Throws: `ResolvConfError` when a resolv.conf file cannot be read or parsed.
    public func resolverConfig() throws(ResolvConfError) -> ResolverConfig {
        switch self {
        case .system:
            return try ResolvConfParser.parse(contentsOf: Self.systemResolvConfPath)
        case .resolvConf(let path):
            return try ResolvConfParser.parse(contentsOf: path)
        case .nameservers(let addresses):
            return ResolverConfig(nameservers: addresses)
        case .configuration(let config):
            return config
        }
    }
}
