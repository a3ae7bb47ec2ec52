import Atomics

/// One immutable, published state of a balancer's table: the candidate set, the strategy's
/// plan for it and when it goes stale. Readers load it with one atomic operation and use it
/// without locks; writers build a new one and swap it in (read-copy-update).
final class Snapshot: AtomicReference, Sendable {
    /// Increases by one with every publication; pickers compare it to notice a new table.
    let generation: UInt64
    let candidates: CandidateSet?
    let plan: (any PickPlan)?
    /// Why there is nothing to pick, when `candidates` is `nil`.
    let reason: NoEndpointReason
    /// Origin-relative nanoseconds at which time alone changes the table (an ejection
    /// ends, a slow-start step is due); picks at or after it trigger a rebuild.
    let refreshAt: Int64
    /// `refreshAt` as an instant, so the pick path compares instants and never converts
    /// (a `Duration` to nanoseconds conversion costs more than the rest of a pick).
    let refreshInstant: ContinuousClock.Instant

    init(generation: UInt64, candidates: CandidateSet?, plan: (any PickPlan)?, reason: NoEndpointReason, refreshAt: Int64, origin: ClockOrigin) {
        self.generation = generation
        self.candidates = candidates
        self.plan = plan
        self.reason = reason
        self.refreshAt = refreshAt
        self.refreshInstant = origin.instant(refreshAt)
    }
}
