/// The active health check state of one endpoint, as the stats page shows it: a Sendable
/// snapshot, taken under the checker's lock and then independent of it.
///
/// Whether the endpoint is up or down is the balancer's (``LoadBalancer/status(now:)``),
/// counted from these results with rise/fall; this is the raw last check behind it.
struct HealthCheckStatus: Sendable, Hashable {
    /// The backend the endpoint belongs to.
    var backend: String
    /// The balancer's endpoint ID (`address:port`).
    var endpointID: String
    /// The last finished probe; nil until the first one finishes.
    var lastCheck: HealthCheckRecord?
    /// Whether a probe is running now.
    var probeInFlight: Bool
}
