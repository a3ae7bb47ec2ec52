import DNSWire
import LoadBalance
import Logging
import NIOCore
import SRVDiscovery

/// Turns an SRV backend into a running watcher: its ``EndpointWatcher`` over the resolver of
/// its `resolvers` section (one ``DNSResolver`` per section, so identical queries in flight
/// are shared), each of whose sets replaces the backend balancer's membership.
///
/// Membership comes from DNS; health comes from checks and passive detection in LoadBalance,
/// independently — an endpoint that stays in DNS keeps its counters and health across
/// updates, a removed one drains. Each backend's watcher lives as long as the backend's
/// configuration is unchanged (``BackendRuntime``), across reloads.
enum DiscoveryWiring {
    /// The watcher of an SRV backend, asking `dns`.
    static func watcher(for srv: SRVMembership, section: ResolverSection, dns: DNSResolver, logger: Logger) -> EndpointWatcher<ContinuousClock> {
        let preference: SRVResolver.AddressPreference = switch srv.addressPreference {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        case .both: .both
        }
        let resolver = SRVResolver(resolver: dns, addressPreference: preference, logger: logger)
        return EndpointWatcher(
            name: srv.name, resolver: resolver,
            configuration: .init(
                minimumRefresh: section.minimumTTL, maximumRefresh: section.maximumTTL,
                grace: section.removalGrace, failureHold: section.holdOnFailure, emptyHold: section.holdOnNXDomain
            ),
            logger: logger
        )
    }

    /// Follows `watcher` into `backend` until the task is cancelled.
    static func follow(_ watcher: EndpointWatcher<ContinuousClock>, into backend: BackendGroup, logger: Logger) async {
        for await set in watcher {
            apply(set, to: backend, logger: logger)
        }
    }

    /// The resolver configuration of a `resolvers` section: explicit nameservers, or a
    /// resolv.conf file whose timeout/attempts the section's own values replace.
    static func resolverConfig(for section: ResolverSection) throws -> ResolverConfig {
        var config: ResolverConfig
        switch section.nameservers {
        case .explicit(let addresses):
            config = ResolverConfig(nameservers: try addresses.map { try SocketAddress(ipAddress: $0.host, port: $0.port) })
        case .resolvConf(let path):
            config = try ResolvConfParser.parse(contentsOf: path)
        }
        config.timeout = section.timeout
        config.attempts = section.attempts
        config.ednsPayloadSize = UInt16(clamping: section.payloadSize)
        return config
    }

    /// Replaces a balancer's membership with a discovered set.
    static func apply(_ set: EndpointSet, to backend: BackendGroup, logger: Logger) {
        var seen: Set<String> = []
        var endpoints: [LoadBalance.Endpoint] = []
        for endpoint in set where seen.insert("\(endpoint.address):\(endpoint.port)").inserted {
            endpoints.append(LoadBalance.Endpoint(
                address: endpoint.address.description, port: Int(endpoint.port),
                weight: endpoint.weight, priority: endpoint.priority, target: endpoint.target
            ))
        }
        do {
            try backend.setMembership(endpoints)
            logger.info("endpoints updated", metadata: [
                "backend": "\(backend.name)", "count": "\(endpoints.count)",
                "endpoints": "\(endpoints.map(\.id).joined(separator: " "))",
            ])
        } catch {
            logger.error("endpoint update refused", metadata: ["backend": "\(backend.name)", "error": "\(error)"])
        }
    }
}
