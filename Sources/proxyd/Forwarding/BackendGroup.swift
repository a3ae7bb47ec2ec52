import LoadBalance

/// One configured backend at run time: its ``LoadBalancer`` (shared by every event loop, lock
/// free on the pick path) and the endpoints discovery or the file gave it.
final class BackendGroup: Sendable {
    let configuration: BackendConfiguration
    let balancer: LoadBalancer

    var name: String { configuration.name }

    init(configuration: BackendConfiguration) throws(LoadBalancerError) {
        self.configuration = configuration
        self.balancer = try LoadBalancer(strategy: Self.strategy(for: configuration.balance), configuration: Self.balancerConfiguration(for: configuration))
        if case .servers(let servers) = configuration.membership {
            try balancer.update(servers.map { server in
                LoadBalance.Endpoint(address: server.host, port: server.port, weight: UInt16(clamping: server.weight),
                                     priority: server.backup ? 1 : 0, target: server.name)
            })
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

    /// Whether picks need a hash key (and which), so the handler computes one only then.
    var usesHashKey: Bool {
        switch configuration.balance.strategy {
        case .ringHash, .maglev, .boundedLoadHash, .sourceHash: true
        default: false
        }
    }
}
