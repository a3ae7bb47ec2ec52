/// A point-in-time view of the whole proxy for the stats page, the JSON admin API and
/// `/metrics`: every backend with its endpoints (announced by DNS or the file, with the
/// operator's overrides and the balancer's health), DNS counters and certificates.
///
/// Built by ``ProxyRuntime/status()`` off the event loops; plain values, `Codable` so the
/// admin API answers it as JSON as it is.
struct ProxyStatus: Sendable, Codable {
    struct Endpoint: Sendable, Codable {
        /// `address:port`, the endpoint's ID in the balancer and in the admin API's paths.
        var id: String
        /// Its HAProxy-style server name (`srv1`, or the file's server name), which the
        /// admin API and the runtime API accept in place of the ID; see ``ServerNameTable``.
        var name: String?
        /// The server's number in its backend (HAProxy's `sid` / `srv_id`).
        var slot: Int?
        var address: String
        var port: Int
        /// The SRV target (or the server's name in the file).
        var target: String?
        var priority: Int
        /// The weight announced by DNS or the file.
        var weight: Int
        /// The operator's weight, when set through the admin API.
        var weightOverride: Int?
        /// `up`, `down` (failed health checks), `ejected` (outlier detection), `draining`
        /// (left DNS, finishing its requests), `drained` or `maint` (by the operator).
        var state: String
        var inFlight: Int
        /// Requests finished since start (every loop), and per second since the last look.
        var requests: Int
        var requestRate: Double
        /// The last active health check: `passed`, or why it failed; nil without checks.
        var lastCheck: String?
        /// How long that check took, milliseconds.
        var checkDurationMilliseconds: Double?
        /// Traffic counters summed over every loop (HAProxy's `bin`, `bout`, `econ`, …).
        var counters = EndpointCounters()
        /// The most requests it had in flight at once, as observed (HAProxy's `smax`).
        var maxInFlight = 0
        /// When its state last changed (Unix seconds), and how long it has been down in all.
        var lastStateChange: Double?
        var downtimeSeconds: Double = 0
        /// Requests and latency per interval, oldest first (``ProxyStatus/historyIntervalSeconds``).
        var history: [HistoryPoint] = []
    }

    /// One interval of an endpoint's history.
    struct HistoryPoint: Sendable, Codable, Equatable {
        /// When the interval began, Unix seconds.
        var start: Double
        var requests: Int
        var errors: Int
        /// Latency percentiles of the interval's requests, seconds; nil without requests.
        var p50: Double?
        var p99: Double?
    }

    struct DNS: Sendable, Codable {
        var name: String
        var queries: Int
        var timeouts: Int
        var truncations: Int
        var tcpRetries: Int
        var droppedAnswers: Int
        var successfulRefreshes: Int
        var failedRefreshes: Int
        /// Seconds since the last answer, and since the endpoint set last changed.
        var secondsSinceLastAnswer: Double?
        var secondsSinceLastChange: Double?
        var lastError: String?
    }

    struct Backend: Sendable, Codable {
        var name: String
        var strategy: String
        var endpoints: [Endpoint]
        /// Present for SRV backends.
        var dns: DNS?
        /// When the membership last changed (DNS answer or admin override), Unix seconds.
        var lastMembershipUpdate: Double?
        /// The last endpoints DNS (or the file) added and removed, oldest first.
        var changes: [MembershipChangeLog.Change] = []
        /// Backend totals: requests, response bytes and retries from the backend's own row
        /// (requests no endpoint answered included); the rest summed over listed endpoints.
        var totals = EndpointCounters()
        /// The most requests in flight at once over its endpoints, as observed.
        var maxInFlight = 0
    }

    /// A listener (HAProxy's frontend) and its counters summed over loops.
    struct Listener: Sendable, Codable {
        var name: String
        /// `host:port`.
        var bind: String
        var tls: Bool
        /// The listener's connection limit (or the global one).
        var maxConnections: Int
        var counters: ListenerCounters
    }

    struct Certificate: Sendable, Codable {
        var listener: String
        var subject: String
        var serverNames: [String]
        var serialNumber: String
        /// notAfter, Unix seconds.
        var notAfter: Int64
    }

    var backends: [Backend]
    var certificates: [Certificate]
    /// Listeners in configuration order.
    var listeners: [Listener] = []
    /// Unix seconds when the snapshot was taken.
    var generatedAt: Double
    /// The length of one ``HistoryPoint`` interval, seconds.
    var historyIntervalSeconds: Double = Double(RequestHistoryRing.defaultIntervalNanoseconds) / 1e9
}
