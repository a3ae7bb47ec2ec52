import Synchronization

/// The mutable, shared part of one endpoint: in-flight count, health counters, ejection and
/// latency, all in atomics so that picks and completions from any thread need no lock.
///
/// One instance lives as long as the endpoint stays in the table (and while it drains), and
/// is carried over across discovery updates — that is how kept endpoints keep their stats.
final class EndpointState: Sendable {
    /// Marker for "never ejected" / "no deadline".
    static let never = Int64.min

    // Hot fields first, so that what a pick and a successful completion touch shares the
    // object's first cache line (Swift lays out stored properties in declaration order):
    // at 10,000 endpoints each pick is a cache miss or two, not three.
    let inFlight = Atomic<Int>(0)
    /// Latency EWMA in nanoseconds as `Double` bits; 0 means no sample yet.
    let latencyBits = Atomic<UInt64>(0)
    let consecutiveConnectionFailures = Atomic<Int>(0)
    let consecutiveServerErrors = Atomic<Int>(0)
    /// Set when discovery removed the endpoint; it then only drains.
    let isDraining = Atomic<Bool>(false)
    let latencyUpdatedAt = Atomic<Int64>(0)
    /// End of the current or last ejection, in origin-relative nanoseconds.
    let ejectedUntil = Atomic<Int64>(EndpointState.never)
    /// How many ejections in a row the back-off has counted.
    let backoffLevel = Atomic<Int>(0)
    /// Total ejections, for status pages.
    let ejections = Atomic<Int>(0)
    let id: String
    /// Stable hash of `id`, the endpoint's position on rings and in Maglev tables.
    let identityHash: UInt64
    /// Active check state; touched by health checkers and table rebuilds, never by picks.
    let active: Locked<ActiveCheckCounter>

    init(id: String, startsUp: Bool) {
        self.id = id
        self.identityHash = StableHash.hash(id.utf8)
        self.active = Locked(ActiveCheckCounter(isUp: startsUp))
    }

    /// Whether a pick may use this endpoint at `now` (active checks up, not ejected).
    func isHealthy(at now: Int64) -> Bool {
        active.withLock { $0.isUp } && ejectedUntil.load(ordering: .relaxed) <= now
    }

    /// Current latency EWMA in nanoseconds, or `nil` before the first sample.
    var latency: Double? {
        let bits = latencyBits.load(ordering: .relaxed)
        return bits == 0 ? nil : Double(bitPattern: bits)
    }

    /// Folds one latency sample into the EWMA, decaying the old value by the time elapsed
    /// since the last sample (Finagle's decaying EWMA): `w = exp(-Δt/τ)`. Lost updates under
    /// a race only drop a sample, which an average tolerates.
    func recordLatency(_ sample: Int64, at now: Int64, decay: Int64) {
        let previousBits = latencyBits.load(ordering: .relaxed)
        let value = Double(max(sample, 1))
        let updated: Double
        if previousBits == 0 {
            updated = value
        } else {
            let elapsed = Double(max(0, now &- latencyUpdatedAt.load(ordering: .relaxed)))
            let keep = EndpointState.exp(-elapsed / Double(decay))
            updated = Double(bitPattern: previousBits) * keep + value * (1 - keep)
        }
        latencyUpdatedAt.store(now, ordering: .relaxed)
        _ = latencyBits.compareExchange(expected: previousBits, desired: updated.bitPattern, ordering: .relaxed)
    }

    /// A success ends both failure streaks.
    @inline(__always)
    func recordSuccess() {
        // Load first: most requests succeed, and a store would bounce the cache line.
        if consecutiveConnectionFailures.load(ordering: .relaxed) != 0 {
            consecutiveConnectionFailures.store(0, ordering: .relaxed)
        }
        if consecutiveServerErrors.load(ordering: .relaxed) != 0 {
            consecutiveServerErrors.store(0, ordering: .relaxed)
        }
    }

    /// Applies a failed request to the passive health counters; returns whether the failure
    /// streak has reached its threshold, i.e. the endpoint should now be ejected.
    func recordFailure(_ outcome: RequestOutcome, policy: OutlierDetection?) -> Bool {
        switch outcome {
        case .cancelled, .success:
            return false
        case .connectionFailure:
            guard let policy, policy.consecutiveConnectionFailures > 0 else { return false }
            let count = consecutiveConnectionFailures.wrappingAdd(1, ordering: .relaxed).newValue
            return count >= policy.consecutiveConnectionFailures
        case .serverError:
            guard let policy, policy.consecutiveServerErrors > 0 else { return false }
            let count = consecutiveServerErrors.wrappingAdd(1, ordering: .relaxed).newValue
            return count >= policy.consecutiveServerErrors
        }
    }

    /// Forgets the failure streaks, e.g. when an ejection was refused by the
    /// max-ejection cap, so the next attempt needs a full new streak.
    func resetFailureStreaks() {
        consecutiveConnectionFailures.store(0, ordering: .relaxed)
        consecutiveServerErrors.store(0, ordering: .relaxed)
    }

    /// Whether an ejection is in force at `now`.
    func isEjected(at now: Int64) -> Bool {
        ejectedUntil.load(ordering: .acquiring) > now
    }

    /// Ejects the endpoint unless it already is; exactly one racing caller wins.
    func eject(at now: Int64, policy: OutlierDetection) -> Bool {
        let previousEnd = ejectedUntil.load(ordering: .acquiring)
        if previousEnd > now { return false }
        let forget = ClockOrigin.nanoseconds(policy.forgetAfter)
        let level: Int
        if previousEnd == EndpointState.never || now &- previousEnd >= forget {
            level = 0
        } else {
            level = backoffLevel.load(ordering: .relaxed)
        }
        let duration = EndpointState.ejectionDuration(level: level, policy: policy)
        let (won, _) = ejectedUntil.compareExchange(
            expected: previousEnd, desired: now &+ duration, ordering: .acquiringAndReleasing)
        guard won else { return false }
        backoffLevel.store(level + 1, ordering: .relaxed)
        ejections.wrappingAdd(1, ordering: .relaxed)
        consecutiveConnectionFailures.store(0, ordering: .relaxed)
        consecutiveServerErrors.store(0, ordering: .relaxed)
        return true
    }

    /// `base × multiplier^level`, capped at `maxEjection`, in nanoseconds.
    static func ejectionDuration(level: Int, policy: OutlierDetection) -> Int64 {
        let cap = ClockOrigin.nanoseconds(policy.maxEjection)
        var duration = ClockOrigin.nanoseconds(policy.baseEjection)
        var remaining = level
        while remaining > 0 && duration < cap {
            let (next, overflow) = duration.multipliedReportingOverflow(by: Int64(policy.backoffMultiplier))
            duration = overflow ? cap : next
            remaining -= 1
        }
        return min(duration, cap)
    }

    /// `e^x` for `x ≤ 0` without Foundation: range-reduce by powers of two, then a short
    /// Taylor series. Accurate to ~1e-12, plenty for a latency average.
    static func exp(_ x: Double) -> Double {
        if x < -700 { return 0 }
        var reduced = x
        var squarings = 0
        while reduced < -0.5 {
            reduced /= 2
            squarings += 1
        }
        var term = 1.0
        var sum = 1.0
        for n in 1...12 {
            term *= reduced / Double(n)
            sum += term
        }
        for _ in 0..<squarings { sum *= sum }
        return sum
    }
}

/// HAProxy-style rise/fall counting for active health checks.
struct ActiveCheckCounter: Sendable {
    var isUp: Bool
    var passesInARow = 0
    var failuresInARow = 0

    /// Records one check result; returns whether up/down changed.
    mutating func record(passed: Bool, policy: ActiveHealthCheckPolicy) -> Bool {
        if passed {
            failuresInARow = 0
            passesInARow += 1
            if !isUp && passesInARow >= policy.rise {
                isUp = true
                return true
            }
        } else {
            passesInARow = 0
            failuresInARow += 1
            if isUp && failuresInARow >= policy.fall {
                isUp = false
                return true
            }
        }
        return false
    }
}
