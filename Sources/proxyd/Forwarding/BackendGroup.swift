import Foundation
import LoadBalance
import NIOConcurrencyHelpers

/// One configured backend at run time: its ``LoadBalancer`` (shared by every event loop, lock
/// free on the pick path) and the endpoints discovery or the file gave it.
///
/// Membership goes through ``setMembership(_:)`` so that the operator's overrides from the
/// admin API (drain, weight) are applied to every set discovery announces: a drained
/// endpoint is left out of the balancer's table (LoadBalance then lets its in-flight requests
/// finish and never picks it again) until it is enabled, whatever DNS or health checks say.
final class BackendGroup: Sendable {
    let configuration: BackendConfiguration
    let balancer: LoadBalancer

    var name: String { configuration.name }

    /// The announced membership and the overrides on it; the lock also serialises balancer
    /// updates, so an override and a DNS update cannot interleave and lose one another.
    private let membership: NIOLockedValueBox<Membership>

    struct Membership: Sendable {
        /// The last set discovery (or the file) announced, before overrides.
        var announced: [LoadBalance.Endpoint] = []
        /// Endpoint IDs the operator drained.
        var drained: Set<String> = []
        /// Endpoint IDs the operator put in maintenance (HAProxy's `MAINT`): out of rotation
        /// like drained ones, reported as such.
        var maintenance: Set<String> = []
        /// Weights the operator set, by endpoint ID.
        var weights: [String: UInt16] = [:]
        /// When the membership last changed, seconds since the Unix epoch.
        var lastUpdate: Double?
        /// HAProxy-style server names (`srv1`, …) of the endpoints.
        var names: ServerNameTable
        /// The last endpoints added and removed by DNS (or the file), for the stats page.
        var changes = MembershipChangeLog()

        /// Endpoints an operator override names, whose server names must stay put.
        var pinned: Set<String> { drained.union(maintenance).union(weights.keys) }
    }

    /// What the admin API can be told to do to an endpoint.
    enum Override: Sendable, Equatable {
        /// Out of rotation, in-flight requests finish (HAProxy `state drain`).
        case drain
        /// Out of rotation, reported as maintenance (HAProxy `state maint`, `disable server`).
        case maintenance
        /// Back in rotation (HAProxy `state ready`, `enable server`).
        case enable
        case weight(UInt16)
    }

    init(configuration: BackendConfiguration) throws(LoadBalancerError) {
        self.configuration = configuration
        let prefix: String? = if case .srv(let srv) = configuration.membership { srv.serverPrefix } else { nil }
        self.membership = NIOLockedValueBox(Membership(names: ServerNameTable(prefix: prefix)))
        self.balancer = try LoadBalancer(strategy: Self.strategy(for: configuration.balance), configuration: Self.balancerConfiguration(for: configuration))
        if case .servers(let servers) = configuration.membership {
            try setMembership(servers.map { server in
                LoadBalance.Endpoint(address: server.host, port: server.port, weight: UInt16(clamping: server.weight),
                                     priority: server.backup ? 1 : 0, target: server.name)
            })
        }
    }

    /// Replaces the membership (a discovered set, or the file's servers) and applies the
    /// operator's overrides to it.
    func setMembership(_ endpoints: [LoadBalance.Endpoint]) throws(LoadBalancerError) {
        let result = membership.withLockedValue { state -> Result<Void, LoadBalancerError> in
            var next = state
            next.announced = endpoints
            next.names.update(announced: endpoints, pinned: next.pinned)
            do throws(LoadBalancerError) {
                try balancer.update(Self.effective(next))
            } catch {
                return .failure(error)
            }
            let now = Date().timeIntervalSince1970
            next.lastUpdate = now
            next.changes.record(from: state.announced.map(\.id), to: endpoints.map(\.id), at: now)
            state = next
            return .success(())
        }
        try result.get()
    }

    /// Applies an operator override to a member of the announced set, named by its ID
    /// (`address:port`) or its server name (``ServerNameTable``). Returns false when no
    /// announced endpoint answers to it. Drain, maintenance and weight outlive later DNS updates.
    func apply(_ override: Override, to endpoint: String) throws(LoadBalancerError) -> Bool {
        let result = membership.withLockedValue { state -> Result<Bool, LoadBalancerError> in
            guard let endpointID = Self.resolve(endpoint, in: state) else { return .success(false) }
            var next = state
            switch override {
            case .drain:
                next.drained.insert(endpointID)
                next.maintenance.remove(endpointID)
            case .maintenance:
                next.maintenance.insert(endpointID)
                next.drained.remove(endpointID)
            case .enable:
                next.drained.remove(endpointID)
                next.maintenance.remove(endpointID)
            case .weight(let weight): next.weights[endpointID] = weight
            }
            next.names.update(announced: next.announced, pinned: next.pinned)
            do throws(LoadBalancerError) {
                try balancer.update(Self.effective(next))
            } catch {
                return .failure(error)
            }
            next.lastUpdate = Date().timeIntervalSince1970
            state = next
            return .success(true)
        }
        return try result.get()
    }

    /// The announced endpoint an admin names by ID or server name.
    private static func resolve(_ endpoint: String, in state: Membership) -> String? {
        if state.announced.contains(where: { $0.id == endpoint }) { return endpoint }
        guard let id = state.names.id(named: endpoint), state.announced.contains(where: { $0.id == id }) else { return nil }
        return id
    }

    /// The announced set and the overrides, for the stats page and the admin API.
    func membershipSnapshot() -> Membership {
        membership.withLockedValue { $0 }
    }

    /// What the balancer gets: the announced set without drained endpoints, with set weights.
    private static func effective(_ state: Membership) -> [LoadBalance.Endpoint] {
        state.announced.compactMap { endpoint in
            if state.drained.contains(endpoint.id) || state.maintenance.contains(endpoint.id) { return nil }
            var endpoint = endpoint
            if let weight = state.weights[endpoint.id] { endpoint.weight = weight }
            return endpoint
        }
    }

    /// The balancing strategy a configuration names.
    static func strategy(for balance: BalanceConfiguration) -> ConfiguredStrategy {
        switch balance.strategy {
        case .roundRobin: .roundRobin()
        case .random: .weightedRandom
        case .leastConnections: .leastConnections()
        case .powerOfTwoChoices: .powerOfTwoChoices()
        case .ringHash: .ringHash()
        case .maglev: .maglev()
        case .boundedLoadHash: .boundedLoadHash(.boundedLoadHash(balanceFactor: balance.loadFactor))
        case .sourceHash: .sourceHash
        }
    }

    /// Health, slow start and panic settings in LoadBalance's terms.
    static func balancerConfiguration(for backend: BackendConfiguration) -> LoadBalancerConfiguration {
        let outliers = backend.outlierDetection
        let check = backend.healthCheck
        return LoadBalancerConfiguration(
            slowStart: backend.slowStart.map { SlowStart(window: $0) },
            outlierDetection: outliers.consecutiveFailures == 0 ? nil : OutlierDetection(
                consecutiveConnectionFailures: outliers.consecutiveFailures,
                consecutiveServerErrors: outliers.consecutiveFailures,
                baseEjection: outliers.baseEjection,
                maxEjection: outliers.maximumEjection
            ),
            activeHealthChecks: ActiveHealthCheckPolicy(rise: check?.rise ?? 2, fall: check?.fall ?? 3, startsUp: true),
            panicThreshold: backend.panicThreshold,
            ignoresWeights: backend.balance.ignoreSRVWeights
        )
    }

    /// The hash key of `request` for this backend's strategy, computed by LoadBalance's
    /// ``HashKeySource``; nil when the strategy hashes nothing, or when the request lacks what
    /// it hashes (no such header, or an empty one): the pick then takes turns, as HAProxy falls
    /// back to round robin.
    func hashKey(for request: RequestFacts) -> HashKey? {
        let source: HashKeySource
        switch configuration.balance.strategy {
        case .sourceHash: source = .clientAddress
        case .ringHash, .maglev, .boundedLoadHash: source = configuration.balance.hashKey
        case .roundRobin, .random, .leastConnections, .powerOfTwoChoices: return nil
        }
        return source.key(clientAddress: request.clientAddress.utf8, uri: request.target.utf8) { request.header($0) }
    }
}
