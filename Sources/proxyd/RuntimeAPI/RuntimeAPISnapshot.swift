/// Everything the runtime API's `show` commands print, taken at once from ``ProxyInspector``:
/// plain values, so the formatters (``HAProxyStatCSV``, ``HAProxyServersState``,
/// ``HAProxyShowInfo``, ``HAProxyShowResolvers``) are tested without a running proxy.
struct RuntimeAPISnapshot: Sendable {
    var status: ProxyStatus
    /// Every loop's request counters summed, with the backend name of each row.
    var counters: LoopMetrics.Snapshot
    var counterBackendNames: [String]
    var configuration: ProxyConfiguration
    /// DNS counters by `resolvers` section name.
    var resolvers: [String: ProxyStatus.DNS]
    var process: RuntimeAPIProcessFacts

    /// HAProxy's proxy IDs (`iid`, `be_id`): listeners first, then backends, from 1, in
    /// configuration order.
    func proxyID(ofListener index: Int) -> Int { index + 1 }
    func proxyID(ofBackend index: Int) -> Int { configuration.listeners.count + index + 1 }

    /// The counters row of a backend, nil before it counted anything.
    func counterRow(of backend: String) -> Int? {
        guard let index = counterBackendNames.firstIndex(of: backend), index > 0, index < counters.requests.count else { return nil }
        return index
    }
}

/// What `show info` reports about the process.
struct RuntimeAPIProcessFacts: Sendable, Equatable {
    var name = "proxyd"
    var version: String
    var pid: Int32
    var threads: Int
    /// Unix seconds at start, and now.
    var startedAt: Double
    var now: Double
    var openFileLimit: Int?
    var node: String
    var stopping = false
}
