import LoadBalance
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SRVDiscovery

/// One configured backend while it runs: its ``BackendGroup`` (balancer, endpoint table,
/// health), a ``LoopBackend`` (picker and pool) on every event loop, and the background work
/// that keeps it current — the DNS watcher of an SRV backend and the active health checker.
///
/// A reload keeps the whole object when the backend's configuration is unchanged (see
/// ``ConfigurationDiff``), so nothing about it is lost; otherwise a new one replaces it and
/// this one is stopped: its watcher and checker are cancelled and its pools closed, idle
/// connections at once and busy ones when their exchange ends.
final class BackendRuntime: Sendable {
    let group: BackendGroup
    let healthChecker: BackendHealthChecker?
    /// By `ObjectIdentifier` of the event loop.
    let loopBackends: [ObjectIdentifier: LoopBackend]
    /// The DNS watcher of an SRV backend (the admin API reads its counters, refreshes it).
    let watcher: EndpointWatcher<ContinuousClock>?
    /// The `resolvers` section the watcher asks.
    let resolverName: String?
    private let logger: Logger
    /// The watcher's and checker's tasks while started. Unstructured because a backend's
    /// lifetime is set by reloads, not by a scope; `stop()` cancels and awaits them.
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    var name: String { group.name }

    /// - Parameters:
    ///   - dns: the resolver of the backend's `resolvers` section (SRV backends only).
    ///   - seed: endpoints to start with until discovery answers (a replaced SRV backend's).
    init(configuration: BackendConfiguration, resolverSection: ResolverSection?, dns: DNSResolver?, seed: [LoadBalance.Endpoint] = [],
         loops: [any EventLoop], group eventLoopGroup: any EventLoopGroup, logger: Logger) throws {
        let group = try BackendGroup(configuration: configuration)
        if !seed.isEmpty { try group.setMembership(seed) }
        self.group = group
        self.logger = logger
        self.healthChecker = BackendHealthChecker(backend: group, group: eventLoopGroup, logger: logger)
        if case .srv(let srv) = configuration.membership, let resolverSection, let dns {
            watcher = DiscoveryWiring.watcher(for: srv, section: resolverSection, dns: dns, logger: logger)
            resolverName = resolverSection.name
        } else {
            watcher = nil
            resolverName = nil
        }
        var loopBackends: [ObjectIdentifier: LoopBackend] = [:]
        for loop in loops {
            loopBackends[ObjectIdentifier(loop)] = LoopBackend(group: group, eventLoop: loop)
        }
        self.loopBackends = loopBackends
    }

    /// Starts following DNS and probing endpoints.
    func start() {
        let group = self.group
        let logger = self.logger
        tasks.withLockedValue { tasks in
            guard tasks.isEmpty else { return }
            if let watcher {
                tasks.append(Task { await DiscoveryWiring.follow(watcher, into: group, logger: logger) })
            }
            if let healthChecker {
                tasks.append(Task { await healthChecker.run() })
            }
        }
    }

    /// Cancels the watcher and the checker and waits until they have returned.
    func stop() async {
        let running = tasks.withLockedValue { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }
}
