/// The health an endpoint is in, as a status page shows it.
public enum EndpointHealth: Sendable, Hashable {
    /// Picks may choose it.
    case up
    /// Picks skip it (unless the table panics).
    case down(DownReason)
    /// Removed by discovery; never picked again, kept until its in-flight requests finish.
    case draining

    /// Why an endpoint is down.
    public enum DownReason: Sendable, Hashable {
        /// Active health checks failed `fall` times in a row.
        case failedChecks
        /// Passive outlier detection ejected it until the given instant.
        case ejected(until: ContinuousClock.Instant)
    }
}
