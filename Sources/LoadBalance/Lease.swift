/// One picked endpoint, held for the duration of one request.
///
/// The pick already counted the request as in flight; ``complete(_:now:)`` must be called
/// exactly once when it ends — that keeps in-flight counts (least connections, power of two
/// choices, bounded loads, draining) and passive health right. A lease is a small value
/// (no allocation per pick); completing a copy twice would count the request twice.
public struct Lease: Sendable {
    let candidates: CandidateSet
    let index: Int
    let startedAt: ContinuousClock.Instant

    /// The endpoint to send the request to.
    public var endpoint: Endpoint { candidates.endpoints[index] }

    /// Reports how the request ended. `now` is when it ended; with the pick's `now` it gives
    /// the latency sample for latency-aware strategies.
    public func complete(_ outcome: RequestOutcome, now: ContinuousClock.Instant = .now) {
        candidates.complete(index, outcome: outcome, startedAt: startedAt, now: now)
    }

    /// Reports how the request ended with a latency the caller measured itself (say, time
    /// to first byte rather than to the end of a streamed body); the latency sample then
    /// is `latency` instead of the time since the pick.
    public func complete(_ outcome: RequestOutcome, latency: Duration, now: ContinuousClock.Instant = .now) {
        candidates.complete(index, outcome: outcome, startedAt: now.advanced(by: .zero - latency), now: now)
    }
}
