/// When each endpoint last changed state and how long it has been down, as HAProxy's stats
/// page shows them (`lastchg`, `downtime`), and the most requests it had in flight (`smax`).
///
/// The balancer knows an endpoint's state now, not its history; the ledger keeps that history
/// by observing the states at every look (the admin pages and a one-second tick of the
/// runtime), so a change is dated within a second. Down means `down` (failed checks) or
/// `ejected` (outlier detection); drained and maintenance are the operator's, not downtime.
struct EndpointStateLedger: Sendable {
    struct Entry: Sendable, Equatable {
        var state: String
        /// Unix seconds of the last observed change (or of the first observation).
        var since: Double
        /// Seconds down before the current down period (if any).
        var closedDowntime: Double = 0
        var maxInFlight: Int = 0

        var isDown: Bool { EndpointStateLedger.isDown(state) }

        /// Total seconds down as of `now`.
        func downtime(now: Double) -> Double {
            closedDowntime + (isDown ? max(0, now - since) : 0)
        }
    }

    /// By `backend|endpoint ID`.
    private(set) var entries: [String: Entry] = [:]

    static func isDown(_ state: String) -> Bool { state == "down" || state == "ejected" }

    static func key(backend: String, endpoint: String) -> String { backend + "|" + endpoint }

    /// Notes the state and in-flight count seen at `time`.
    mutating func observe(backend: String, endpoint: String, state: String, inFlight: Int, at time: Double) {
        let key = Self.key(backend: backend, endpoint: endpoint)
        guard var entry = entries[key] else {
            entries[key] = Entry(state: state, since: time, maxInFlight: inFlight)
            return
        }
        if entry.state != state {
            if entry.isDown { entry.closedDowntime += max(0, time - entry.since) }
            entry.state = state
            entry.since = time
        }
        entry.maxInFlight = max(entry.maxInFlight, inFlight)
        entries[key] = entry
    }

    /// Forgets endpoints no longer listed (their tasks are gone).
    mutating func retain(_ keys: Set<String>) {
        if entries.count > keys.count { entries = entries.filter { keys.contains($0.key) } }
    }

    func entry(backend: String, endpoint: String) -> Entry? {
        entries[Self.key(backend: backend, endpoint: endpoint)]
    }
}
