/// What one event loop counted for one endpoint: HAProxy's per-server counters and the
/// recent history the stats page charts. Made once per endpoint per loop, the first time the
/// endpoint serves a request there, and mutated in place afterwards (a class, so a lookup in
/// ``LoopMetrics``'s table never copies the ring); only its loop touches it.
final class EndpointActivity {
    var counters = EndpointCounters()
    var history = RequestHistoryRing()
}

/// HAProxy's per-server traffic counters (`show stat`'s `stot`, `bin`, `bout`, `econ`,
/// `eresp`, `wretr`, `wredis`, `hrsp_5xx`), summed over loops by ``merge(_:)``. The one source
/// of these numbers for the stats page, the JSON API and the runtime API.
struct EndpointCounters: Sendable, Equatable, Codable {
    /// Exchanges this endpoint finished (a response status was sent).
    var requests = 0
    /// Request body bytes forwarded to it, and response bytes sent back to clients.
    var bytesIn = 0
    var bytesOut = 0
    /// Connection attempts to it that failed (refused, timed out): HAProxy's `econ`.
    var connectionErrors = 0
    /// Exchanges whose connection broke or timed out before the response was whole: `eresp`.
    var responseErrors = 0
    /// Connect retries of exchanges it finished (`wretr`), and how many of those had started
    /// on another endpoint (`wredis`).
    var retries = 0
    var redispatches = 0
    /// Finished exchanges with a 5xx status (`hrsp_5xx`).
    var serverErrorResponses = 0

    mutating func merge(_ other: EndpointCounters) {
        requests += other.requests
        bytesIn += other.bytesIn
        bytesOut += other.bytesOut
        connectionErrors += other.connectionErrors
        responseErrors += other.responseErrors
        retries += other.retries
        redispatches += other.redispatches
        serverErrorResponses += other.serverErrorResponses
    }
}
