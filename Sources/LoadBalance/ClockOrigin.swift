/// Converts the caller's `ContinuousClock.Instant`s to the signed nanosecond counts the
/// atomics store, relative to a fixed origin.
///
/// Only differences between instants ever matter, so every time-driven behaviour (slow
/// start, ejection back-off, latency decay) is exactly reproducible from the instants a
/// test passes in.
struct ClockOrigin: Sendable {
    let origin: ContinuousClock.Instant

    init(_ origin: ContinuousClock.Instant) {
        self.origin = origin
    }

    /// Nanoseconds from the origin to `instant` (negative before it).
    @inline(__always)
    func nanoseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        ClockOrigin.nanoseconds(origin.duration(to: instant))
    }

    /// The instant `nanoseconds` after the origin.
    func instant(_ nanoseconds: Int64) -> ContinuousClock.Instant {
        origin.advanced(by: .nanoseconds(nanoseconds))
    }

    /// A duration in whole nanoseconds, saturating instead of trapping.
    @inline(__always)
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min / 2 : Int64.max / 2 }
        return whole &+ attoseconds / 1_000_000_000
    }
}
