/// What one event loop counted for one listener (HAProxy's frontend): made once per listener
/// per loop and held by each connection handler, so counting a request is a few increments
/// on an object the handler already has, no lookup. Only its loop touches it.
final class ListenerActivity {
    var counters = ListenerCounters()

    func opened() {
        counters.sessionsCurrent &+= 1
        counters.sessions &+= 1
        if counters.sessionsCurrent > counters.sessionsMax { counters.sessionsMax = counters.sessionsCurrent }
    }

    func closed() {
        counters.sessionsCurrent &-= 1
    }
}

/// HAProxy's frontend counters (`scur`, `smax`, `stot`, `req_tot`, `bin`, `bout`, `dreq`,
/// `ereq`), summed over loops by ``merge(_:)``: the stats page's and `show stat`'s source.
struct ListenerCounters: Sendable, Equatable, Codable {
    /// Client connections open now, the most open at once, and accepted in all. Summed over
    /// loops, `sessionsMax` is the sum of each loop's peak: an upper bound of the true peak.
    var sessionsCurrent = 0
    var sessionsMax = 0
    var sessions = 0
    /// Exchanges answered (any status, local answers included).
    var requests = 0
    /// Request body bytes received, response bytes sent.
    var bytesIn = 0
    var bytesOut = 0
    /// Requests a `deny` rule refused.
    var denied = 0
    /// Requests refused as malformed (400, 413, 431, …).
    var requestErrors = 0

    mutating func merge(_ other: ListenerCounters) {
        sessionsCurrent += other.sessionsCurrent
        sessionsMax += other.sessionsMax
        sessions += other.sessions
        requests += other.requests
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        denied += other.denied
        requestErrors += other.requestErrors
    }
}
