/// One finished probe: its result and when it ran.
struct HealthCheckRecord: Sendable, Hashable {
    var result: ProbeResult
    var startedAt: ContinuousClock.Instant
    var finishedAt: ContinuousClock.Instant

    /// How long the probe took (connect and, for HTTP, the response head).
    var duration: Duration { finishedAt - startedAt }
}
