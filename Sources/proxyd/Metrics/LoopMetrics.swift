/// The request counters of one event loop: plain integers, touched only on that loop, so
/// recording a request costs a few array increments and no atomic or lock. The admin
/// listener folds every loop's ``Snapshot`` together at scrape time (by submitting a copy task
/// to each loop), which is where the cost belongs: once per scrape, not once per request.
///
/// `@unchecked Sendable` for the same reason as ``LoopLocalState``: shared registries hold it,
/// but only its own loop reads or writes it.
final class LoopMetrics: @unchecked Sendable {
    /// Upper bounds of the request duration histogram, seconds (Prometheus `le`).
    static let durationBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    /// Status codes counted one by one; anything else (or no status) lands in slot 0.
    static let statusRange = 100..<600

    /// Backend names by index; index 0 is "no backend" (redirects, parser errors, no route).
    /// Append-only: a reload adds the backends it brings; removed ones keep their rows (a
    /// Prometheus counter never goes back).
    private(set) var backendNames: [String]
    private var backendIndexes: [String: Int]

    /// What one loop counted; summed over loops by ``Snapshot/merge(_:)``.
    struct Snapshot: Sendable {
        /// `[backend][status - 100]`; slot 0 of a row also holds requests without a status.
        var requests: [[Int]]
        /// `[backend][bucket]`, not cumulative; the last slot is `+Inf` only.
        var durationBuckets: [[Int]]
        var durationSums: [Double]
        var retries: [Int]
        var responseBytes: [Int]
        /// Client connections accepted.
        var connectionsAccepted = 0
        /// Client connections open when the snapshot was taken.
        var openConnections = 0
        /// Exchanges the client abandoned before a response status was sent.
        var clientAborts = 0
        /// Per-endpoint counters, `[backend][endpoint ID]`; filled by ``LoopMetrics/snapshot(openConnections:historyAt:)``.
        var endpoints: [[String: EndpointCounters]]
        /// Per-endpoint history, `[backend][endpoint ID]`, intervals oldest first; filled only
        /// when the snapshot asked for it (the stats page and the JSON API).
        var endpointHistory: [[String: [RequestHistorySample]]]
        /// Per-listener counters by listener name.
        var listeners: [String: ListenerCounters] = [:]

        init(backends: Int) {
            requests = Array(repeating: Array(repeating: 0, count: LoopMetrics.statusRange.count), count: backends)
            durationBuckets = Array(repeating: Array(repeating: 0, count: LoopMetrics.durationBounds.count + 1), count: backends)
            durationSums = Array(repeating: 0, count: backends)
            retries = Array(repeating: 0, count: backends)
            responseBytes = Array(repeating: 0, count: backends)
            endpoints = Array(repeating: [:], count: backends)
            endpointHistory = Array(repeating: [:], count: backends)
        }

        mutating func addBackend() {
            requests.append(Array(repeating: 0, count: LoopMetrics.statusRange.count))
            durationBuckets.append(Array(repeating: 0, count: LoopMetrics.durationBounds.count + 1))
            durationSums.append(0)
            retries.append(0)
            responseBytes.append(0)
            endpoints.append([:])
            endpointHistory.append([:])
        }

        mutating func merge(_ other: Snapshot) {
            for b in requests.indices where b < other.requests.count {
                for s in requests[b].indices { requests[b][s] += other.requests[b][s] }
                for i in durationBuckets[b].indices { durationBuckets[b][i] += other.durationBuckets[b][i] }
                durationSums[b] += other.durationSums[b]
                retries[b] += other.retries[b]
                responseBytes[b] += other.responseBytes[b]
                if b < other.endpoints.count {
                    endpoints[b].merge(other.endpoints[b]) { var sum = $0; sum.merge($1); return sum }
                }
                if b < other.endpointHistory.count {
                    endpointHistory[b].merge(other.endpointHistory[b]) { RequestHistorySample.merged([$0, $1]) }
                }
            }
            listeners.merge(other.listeners) { var sum = $0; sum.merge($1); return sum }
            connectionsAccepted += other.connectionsAccepted
            openConnections += other.openConnections
            clientAborts += other.clientAborts
        }
    }

    private var counts: Snapshot
    /// Per-endpoint counters and history, `[backend][endpoint ID]`: kept apart from
    /// ``counts`` so that recording mutates an object found by a lookup (no copy-on-write of
    /// the table after a snapshot shared it).
    private var activities: [[String: EndpointActivity]]
    /// Per-listener counters by name, for the life of the process (listeners are few).
    private var listenerActivities: [String: ListenerActivity] = [:]

    init(backendNames: [String]) {
        self.backendNames = [""] + backendNames
        var indexes: [String: Int] = [:]
        for (index, name) in backendNames.enumerated() { indexes[name] = index + 1 }
        self.backendIndexes = indexes
        self.counts = Snapshot(backends: backendNames.count + 1)
        self.activities = Array(repeating: [:], count: backendNames.count + 1)
    }

    /// Adds rows for backends not counted yet, in the order given.
    func addBackends(_ names: [String]) {
        for name in names where backendIndexes[name] == nil {
            backendIndexes[name] = backendNames.count
            backendNames.append(name)
            counts.addBackend()
            activities.append([:])
        }
    }

    /// The index ``record(backend:endpoint:status:durationNanoseconds:retries:bytes:)`` takes; 0 for
    /// no backend or an unknown name.
    func index(ofBackend name: String?) -> Int {
        guard let name else { return 0 }
        return backendIndexes[name] ?? 0
    }

    /// One finished exchange, at monotonic time `now` (NIO uptime nanoseconds). Costs a few
    /// array increments and, with an endpoint, one table lookup by its ID; the endpoint's
    /// ``EndpointActivity`` is made the first time it is seen on this loop, never per request.
    @inline(__always)
    func record(backend: Int, endpoint: String?, status: Int, durationNanoseconds: Int64, retries: Int, bytes: Int,
                bytesIn: Int = 0, redispatches: Int = 0, now: UInt64 = 0) {
        if let endpoint {
            let activity = self.activity(backend: backend, endpoint: endpoint)
            activity.counters.requests &+= 1
            activity.counters.bytesIn &+= bytesIn
            activity.counters.bytesOut &+= bytes
            activity.counters.retries &+= retries
            activity.counters.redispatches &+= redispatches
            let failed = status >= 500
            if failed { activity.counters.serverErrorResponses &+= 1 }
            activity.history.record(atNanoseconds: now, durationNanoseconds: durationNanoseconds, failed: failed)
        }
        let slot = Self.statusRange.contains(status) ? status - Self.statusRange.lowerBound : 0
        counts.requests[backend][slot] &+= 1
        let seconds = Double(durationNanoseconds) / 1e9
        var bucket = 0
        let bounds = Self.durationBounds
        while bucket < bounds.count && seconds > bounds[bucket] { bucket += 1 }
        counts.durationBuckets[backend][bucket] &+= 1
        counts.durationSums[backend] += seconds
        counts.retries[backend] &+= retries
        counts.responseBytes[backend] &+= bytes
    }

    /// A connection to `endpoint` that could not be made (`connect: true`) or broke or timed
    /// out before the response was whole, counted when it happens (a retry may finish the
    /// exchange on another endpoint).
    func recordFailure(backend: Int, endpoint: String, connect: Bool) {
        let activity = self.activity(backend: backend, endpoint: endpoint)
        if connect { activity.counters.connectionErrors &+= 1 } else { activity.counters.responseErrors &+= 1 }
    }

    /// The counters of the listener `name` on this loop; a connection handler takes it once.
    func listenerActivity(named name: String) -> ListenerActivity {
        if let activity = listenerActivities[name] { return activity }
        let activity = ListenerActivity()
        listenerActivities[name] = activity
        return activity
    }

    @inline(__always)
    private func activity(backend: Int, endpoint: String) -> EndpointActivity {
        if let activity = activities[backend][endpoint] { return activity }
        let activity = EndpointActivity()
        activities[backend][endpoint] = activity
        return activity
    }

    /// Forgets the per-endpoint counts of endpoints that left `backend` (ECS tasks come and
    /// go; the table must not grow for ever).
    func retainEndpoints(backend: Int, _ ids: Set<String>) {
        if activities[backend].count > ids.count {
            activities[backend] = activities[backend].filter { ids.contains($0.key) }
        }
    }

    func connectionAccepted() { counts.connectionsAccepted &+= 1 }
    func clientAborted() { counts.clientAborts &+= 1 }

    /// A copy of the counters, taken on the loop; with `historyAt` (NIO uptime nanoseconds,
    /// the same instant for every loop so that their intervals line up) also every endpoint's
    /// history.
    func snapshot(openConnections: Int, historyAt now: UInt64? = nil) -> Snapshot {
        var copy = counts
        copy.openConnections = openConnections
        copy.listeners = listenerActivities.mapValues(\.counters)
        for backend in activities.indices {
            copy.endpoints[backend] = activities[backend].mapValues(\.counters)
            if let now {
                copy.endpointHistory[backend] = activities[backend].mapValues { $0.history.samples(nowNanoseconds: now) }
            }
        }
        return copy
    }
}
