import DNSWire
import LoadBalance
import Logging
import NIOCore
import SRVDiscovery

/// Turns the configuration's `resolvers` sections and SRV backends into running watchers:
/// one ``DNSResolver`` per section (identical queries in flight are shared), one
/// ``EndpointWatcher`` per SRV backend, each of whose sets replaces its balancer's membership.
///
/// Membership comes from DNS; health comes from checks and passive detection in LoadBalance,
/// independently — an endpoint that stays in DNS keeps its counters and health across
/// updates, a removed one drains.
struct DiscoveryWiring: Sendable {
    struct Watch: Sendable {
        let backend: BackendGroup
        let watcher: EndpointWatcher<ContinuousClock>
        /// The `resolvers` section it asks (its counters are shared by every watch on it).
        let resolverName: String
    }

    let watches: [Watch]

    init(configuration: ProxyConfiguration, backends: [String: BackendGroup], group: any EventLoopGroup, logger: Logger) throws {
        var resolvers: [String: DNSResolver] = [:]
        var watches: [Watch] = []
        for backend in configuration.backends {
            guard case .srv(let srv) = backend.membership, let section = configuration.resolver(named: srv.resolver),
                  let runtimeGroup = backends[backend.name] else { continue }
            let dns: DNSResolver
            if let existing = resolvers[section.name] {
                dns = existing
            } else {
                dns = DNSResolver(configuration: try Self.resolverConfig(for: section), group: group, logger: logger)
                resolvers[section.name] = dns
            }
            let preference: SRVResolver.AddressPreference = switch srv.addressPreference {
            case .ipv4: .ipv4
            case .ipv6: .ipv6
            case .both: .both
            }
            let resolver = SRVResolver(resolver: dns, addressPreference: preference, logger: logger)
            let watcher = EndpointWatcher(
                name: srv.name, resolver: resolver,
                configuration: .init(
                    minimumRefresh: section.minimumTTL, maximumRefresh: section.maximumTTL,
                    grace: section.removalGrace, failureHold: section.holdOnFailure, emptyHold: section.holdOnNXDomain
                ),
                logger: logger
            )
            watches.append(Watch(backend: runtimeGroup, watcher: watcher, resolverName: section.name))
        }
        self.watches = watches
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

    /// The watch of an SRV backend; nil for static backends.
    func watch(forBackend name: String) -> Watch? {
        watches.first { $0.backend.name == name }
    }

    /// Follows every watcher until the task is cancelled.
    func run(logger: Logger) async {
        await withDiscardingTaskGroup { group in
            for watch in watches {
                group.addTask {
                    for await set in watch.watcher {
                        Self.apply(set, to: watch.backend, logger: logger)
                    }
                }
            }
        }
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
