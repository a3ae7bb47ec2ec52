/// When to probe which endpoint of one backend: the pure state machine of the active health
/// checker. The driver (``BackendHealthChecker``) feeds it the balancer's current members and
/// probe results, and performs what it returns; nothing here touches a socket or a clock.
///
/// Rules it keeps:
/// - **Membership comes from the balancer, health from the checks, independently.** Every
///   ``reconcile(_:now:)`` replaces the set of endpoints to probe with the balancer's current
///   members (DNS or the file decide who they are). A new endpoint is due at once; a removed
///   one is forgotten, and the result of a probe still in flight for it is discarded (a
///   removed endpoint drains in the balancer; checking it would only log noise).
/// - **At most one probe per endpoint in flight.** An endpoint whose probe has not finished is
///   never due again, whatever the time, so a slow endpoint never piles up connections.
/// - **Every `interval`, with jitter.** When a probe starts, the endpoint's next probe is set
///   one interval later, plus or minus up to `jitter` × interval drawn at random (HAProxy's
///   `spread-checks`), so probes of endpoints that appeared together drift apart instead of
///   hitting the backends in bursts. The interval runs from the start of the previous probe,
///   so a slow answer does not stretch the cadence; a probe that outlives the interval is
///   followed by the next one as soon as it finishes.
/// - **Transitions are the balancer's.** Whether an endpoint is up or down is decided by
///   LoadBalance's rise/fall counting; `reconcile` compares the verdict the balancer reports
///   with the previous one and returns the flips, with the last probe result as the reason.
struct HealthCheckSchedule: Sendable {
    /// An endpoint to probe.
    struct Target: Sendable, Hashable {
        /// The balancer's endpoint ID, the key results are reported under.
        var id: String
        var address: String
        var port: Int
    }

    /// Whether the balancer counts an endpoint up or down from active checks.
    enum Verdict: Sendable, Hashable {
        case up
        case down
    }

    /// A current member of the balancer, with the balancer's verdict on it; `nil` when the
    /// balancer does not say (it shows an outlier ejection instead, which hides the checks).
    struct Member: Sendable, Hashable {
        var target: Target
        var verdict: Verdict?
    }

    /// A probe the driver must start now; hand it back to ``finish(_:result:now:)``.
    struct Probe: Sendable, Hashable {
        var target: Target
        /// Unique per probe, so a result for an endpoint that left and came back is not taken
        /// for the new one's.
        var token: UInt64
    }

    /// An endpoint the balancer moved between up and down since the last reconcile.
    struct Transition: Sendable, Hashable {
        var endpointID: String
        var verdict: Verdict
        /// The last finished probe's result: the reason for the flip.
        var lastResult: ProbeResult?
    }

    /// What to do with a finished probe.
    enum Completion: Sendable, Hashable {
        /// Report the result to the balancer.
        case record(endpointID: String, passed: Bool)
        /// The endpoint is gone (or is another incarnation); drop the result.
        case discard
    }

    private struct Entry: Sendable {
        var target: Target
        var nextDue: ContinuousClock.Instant
        var inFlight: (token: UInt64, startedAt: ContinuousClock.Instant)?
        var verdict: Verdict?
        var last: HealthCheckRecord?
    }

    /// Time between two probes of one endpoint (before jitter).
    let interval: Duration
    /// The largest jitter, as a fraction of `interval` (0 ..< 1).
    let jitter: Double

    private var entries: [String: Entry] = [:]
    /// Endpoint IDs in the balancer's order, so probes start and statuses list in that order.
    private var order: [String] = []
    private var nextToken: UInt64 = 0

    /// A schedule probing every `interval` ± `jitter` × `interval`. `jitter` outside 0 ..< 1 is
    /// clamped (at 1 two probes could be due at once).
    init(interval: Duration, jitter: Double = 0.1) {
        self.interval = interval
        self.jitter = jitter.isNaN ? 0 : min(max(jitter, 0), 0.99)
    }

    /// The endpoints being checked, in the balancer's order.
    var endpointIDs: [String] { order }

    /// Replaces the endpoints to probe with the balancer's current members; returns the
    /// endpoints whose verdict flipped since the previous call. A member seen for the first
    /// time is due now and is not a transition.
    mutating func reconcile(_ members: [Member], now: ContinuousClock.Instant) -> [Transition] {
        var transitions: [Transition] = []
        var kept: [String: Entry] = [:]
        var newOrder: [String] = []
        kept.reserveCapacity(members.count)
        newOrder.reserveCapacity(members.count)
        for member in members where kept[member.target.id] == nil {
            let id = member.target.id
            var entry = entries[id] ?? Entry(target: member.target, nextDue: now, verdict: member.verdict)
            if entry.target != member.target {
                // Same ID, new address: probe the new address from now on.
                entry.target = member.target
                entry.inFlight = nil
                entry.nextDue = now
            }
            if let verdict = member.verdict {
                if let previous = entry.verdict, previous != verdict {
                    transitions.append(Transition(endpointID: id, verdict: verdict, lastResult: entry.last?.result))
                }
                entry.verdict = verdict
            }
            kept[id] = entry
            newOrder.append(id)
        }
        entries = kept
        order = newOrder
        return transitions
    }

    /// Marks every due endpoint (none of whose probes is in flight) as probing and returns
    /// the probes to start; each one's next probe is set an interval ± jitter from `now`.
    mutating func startDueProbes(now: ContinuousClock.Instant, using random: inout some RandomNumberGenerator) -> [Probe] {
        var probes: [Probe] = []
        for id in order {
            guard var entry = entries[id], entry.inFlight == nil, entry.nextDue <= now else { continue }
            nextToken &+= 1
            entry.inFlight = (nextToken, now)
            entry.nextDue = now + jitteredInterval(using: &random)
            entries[id] = entry
            probes.append(Probe(target: entry.target, token: nextToken))
        }
        return probes
    }

    /// Takes a finished probe's result. Returns whether to report it to the balancer.
    mutating func finish(_ probe: Probe, result: ProbeResult, now: ContinuousClock.Instant) -> Completion {
        guard var entry = entries[probe.target.id], let inFlight = entry.inFlight, inFlight.token == probe.token else {
            return .discard
        }
        entry.inFlight = nil
        entry.last = HealthCheckRecord(result: result, startedAt: inFlight.startedAt, finishedAt: now)
        entries[probe.target.id] = entry
        return .record(endpointID: probe.target.id, passed: result.passed)
    }

    /// The earliest instant an endpoint without a probe in flight is due; nil when none is
    /// waiting (no endpoints, or all are being probed).
    var nextDue: ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        for entry in entries.values where entry.inFlight == nil {
            if earliest.map({ entry.nextDue < $0 }) ?? true { earliest = entry.nextDue }
        }
        return earliest
    }

    /// The check state of every endpoint, for the stats page.
    func statuses(backend: String) -> [HealthCheckStatus] {
        order.compactMap { id in
            entries[id].map { entry in
                HealthCheckStatus(backend: backend, endpointID: id, lastCheck: entry.last, probeInFlight: entry.inFlight != nil)
            }
        }
    }

    /// `interval` moved by a uniform random amount within ± `jitter` × `interval`.
    private func jitteredInterval(using random: inout some RandomNumberGenerator) -> Duration {
        let nanoseconds = interval.nanosecondsClamped
        let spread = Int64(Double(nanoseconds) * jitter)
        guard spread > 0 else { return interval }
        return .nanoseconds(nanoseconds + Int64.random(in: -spread...spread, using: &random))
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.max` (about 292 years).
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, overflow2) = fromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : total
    }
}
