import LoadBalance

/// A pool of endpoints that requests are balanced over, and how its membership is found.
struct BackendConfiguration: Sendable, Hashable {
    var name: String
    var membership: BackendMembership
    var balance: BalanceConfiguration = .init()
    var healthCheck: HealthCheckConfiguration?
    var outlierDetection: OutlierDetectionConfiguration = .init()
    /// New endpoints ramp their weight up over this time instead of taking a full share at once.
    var slowStart: Duration?
    /// Below this fraction of healthy endpoints, traffic goes to all of them rather than
    /// overloading the few left (Envoy's panic threshold). 0 disables it.
    var panicThreshold: Double = 0.5
    var pool: ConnectionPoolConfiguration = .init()
    /// How many times a request that failed before reaching the backend is tried on another
    /// endpoint (connection refused, reset before the request was sent).
    var retries: Int = 2
    /// Per-endpoint limit of concurrent requests (HAProxy `maxconn` on a server); nil: none.
    /// Request rules run after the listener's, once a request is routed here (HAProxy's
    /// `http-request` and `redirect` in a backend section).
    var requestRules: [RequestRule] = []
    /// Response rules run before the listener's on this backend's responses (HAProxy applies a
    /// backend's `http-response` rules first, then the frontend's).
    var responseRules: [ResponseRule] = []
    /// Pages for errors of requests sent to this backend, by status; they win over the
    /// listener's (HAProxy: the backend's page once the backend is chosen).
    var errorPages: [Int: ErrorPage] = [:]
    var location: SourceLocation
}

/// Where a backend's endpoints come from.
enum BackendMembership: Sendable, Hashable {
    /// Fixed servers from the file.
    case servers([ServerConfiguration])
    /// Every target of a DNS SRV name (`_hello-world-service.internal`), followed as it changes:
    /// no fixed slots, TTLs honoured.
    case srv(SRVMembership)
}

/// A fixed server of a backend.
struct ServerConfiguration: Sendable, Hashable {
    var name: String
    var host: String
    var port: Int
    var weight: Int = 1
    /// Used only when no non-backup server is available (HAProxy `backup`).
    var backup = false
    var location: SourceLocation
}

/// SRV-based membership (AWS Cloud Map / ECS, Consul, Kubernetes headless services).
struct SRVMembership: Sendable, Hashable {
    var name: String
    /// The resolver section that answers for it.
    var resolver: String
    var addressPreference: AddressPreference = .ipv4
    /// What the endpoints' server names start with (`server-template srv …` → srv1, srv2, …;
    /// see ``ServerNameTable``).
    var serverPrefix = "srv"

    enum AddressPreference: String, Sendable, Hashable, CaseIterable {
        case ipv4, ipv6, both
    }
}

/// The balancing strategy of a backend, with its options.
struct BalanceConfiguration: Sendable, Hashable {
    enum Strategy: String, Sendable, Hashable, CaseIterable {
        case roundRobin = "round_robin"
        case random
        case leastConnections = "least_connections"
        case powerOfTwoChoices = "power_of_two_choices"
        case ringHash = "ring_hash"
        case maglev
        case boundedLoadHash = "bounded_load_hash"
        case sourceHash = "source_hash"
    }

    var strategy: Strategy = .roundRobin
    /// What `ring_hash`, `maglev` and `bounded_load_hash` hash (LoadBalance's own sources);
    /// `source_hash` always hashes the client.
    var hashKey: HashKeySource = .clientAddress
    /// Treat all endpoints as weight 1, whatever SRV says.
    var ignoreSRVWeights = false
    /// `bounded_load_hash`: no endpoint takes more than this times the average load.
    var loadFactor: Double = 1.25
}

/// An active health check, run against every endpoint (membership comes from DNS or the
/// file; health from checks, independently).
struct HealthCheckConfiguration: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A TCP connect.
        case tcp
        /// An HTTP request whose response status must fall in `expectedStatus`.
        case http(method: String, path: String, host: String?, expectedStatus: ClosedRange<Int>)
    }

    var kind: Kind
    var interval: Duration = .seconds(2)

    /// Parses an expected status as both configuration languages write it: `200` or `200-399`
    /// (within 100-599); nil for anything else.
    static func expectedStatus(parsing text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0.trimmingWhitespace()) }
        switch bounds.count {
        case 1:
            guard let status = bounds[0], (100...599).contains(status) else { return nil }
            return status...status
        case 2:
            guard let low = bounds[0], let high = bounds[1], (100...599).contains(low), (low...599).contains(high) else { return nil }
            return low...high
        default:
            return nil
        }
    }
    var timeout: Duration = .seconds(1)
    /// Consecutive successes that bring a down endpoint up.
    var rise: Int = 2
    /// Consecutive failures that take an up endpoint down.
    var fall: Int = 3
}

/// Passive health: endpoints that fail real requests are ejected for a while.
struct OutlierDetectionConfiguration: Sendable, Hashable {
    /// Consecutive connection failures or 5xx responses that eject an endpoint; 0 disables.
    var consecutiveFailures: Int = 5
    /// The first ejection's length; each repeat doubles it up to `maximumEjection`.
    var baseEjection: Duration = .seconds(10)
    var maximumEjection: Duration = .seconds(300)
}

/// Keep-alive connections kept to each endpoint, per event loop.
struct ConnectionPoolConfiguration: Sendable, Hashable {
    /// High enough that a busy endpoint does not churn connections (measured: 16 made half of
    /// the requests of 50 keep-alive clients open a new backend connection).
    var maxIdlePerEndpoint: Int = 256
    var idleTimeout: Duration = .seconds(60)
}
