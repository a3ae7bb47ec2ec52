import Synchronization

/// The endpoints one table snapshot lets picks choose from, with their effective weights —
/// immutable, shared by every picker until the next snapshot replaces it.
///
/// The balancer builds it from the table on every change, after applying RFC 2782 tier
/// selection, weight-0 rules, health, panic mode and slow start, so a strategy only has to
/// turn "candidates with weights" into a choice. Strategies read it; they never mutate it.
public final class CandidateSet: Sendable {
    let endpoints: ContiguousArray<Endpoint>
    let states: ContiguousArray<EndpointState>
    /// The same objects without reference counting, for the pick path: `states` keeps
    /// them alive as long as this set lives, and every access happens inside a method of
    /// the set, so borrowing them unretained is safe and saves a retain/release pair.
    let unretained: ContiguousArray<Unmanaged<EndpointState>>
    let weights: ContiguousArray<UInt32>
    let hashWeights: ContiguousArray<UInt32>
    /// Sum of ``weight(at:)``.
    public let totalWeight: UInt64
    /// Whether every ``weight(at:)`` is the same — strategies then skip weighting entirely.
    public let hasUniformWeights: Bool
    /// Whether this set was chosen in panic mode (health ignored).
    public let isPanicking: Bool

    let origin: ClockOrigin
    let outlierDetection: OutlierDetection?
    /// Decay of the latency EWMA in nanoseconds; `nil` when no strategy reads latency.
    let latencyDecay: Int64?
    /// Shared in-flight total, present when the strategy asked for it.
    let total: InFlightTotal?
    /// The balancer, told about ejections and finished drains. Weak: the balancer owns the
    /// snapshots that own this set.
    weak let owner: (any TableEventSink)?

    init(
        endpoints: ContiguousArray<Endpoint>,
        states: ContiguousArray<EndpointState>,
        weights: ContiguousArray<UInt32>,
        hashWeights: ContiguousArray<UInt32>,
        isPanicking: Bool,
        origin: ClockOrigin,
        outlierDetection: OutlierDetection?,
        latencyDecay: Int64?,
        total: InFlightTotal?,
        owner: (any TableEventSink)?
    ) {
        self.endpoints = endpoints
        self.states = states
        self.unretained = ContiguousArray(states.lazy.map { Unmanaged.passUnretained($0) })
        self.weights = weights
        self.hashWeights = hashWeights
        self.totalWeight = weights.reduce(0) { $0 + UInt64($1) }
        self.hasUniformWeights = weights.allSatisfy { $0 == weights.first }
        self.isPanicking = isPanicking
        self.origin = origin
        self.outlierDetection = outlierDetection
        self.latencyDecay = latencyDecay
        self.total = total
        self.owner = owner
    }

    /// Number of candidates; always at least 1 when a strategy sees the set.
    @inline(__always)
    public var count: Int { states.count }

    /// The endpoint at `index`.
    public func endpoint(at index: Int) -> Endpoint { endpoints[index] }

    /// Effective weight (> 0): the SRV weight after the weight-0 and ignore-weights rules,
    /// scaled by 1024 and by the slow-start ramp. Only ratios are meaningful.
    @inline(__always)
    public func weight(at index: Int) -> UInt32 { weights[index] }

    /// Weight for hash strategies: like ``weight(at:)`` but without slow start, because
    /// changing a hash weight moves keys.
    @inline(__always)
    public func hashWeight(at index: Int) -> UInt32 { hashWeights[index] }

    /// Stable hash of the endpoint id: its identity on rings and Maglev tables.
    @inline(__always)
    public func identityHash(at index: Int) -> UInt64 { states[index].identityHash }

    /// Requests currently in flight to the endpoint (all leases not yet completed).
    @inline(__always)
    public func inFlight(at index: Int) -> Int {
        unretained[index]._withUnsafeGuaranteedRef { $0.inFlight.load(ordering: .relaxed) }
    }

    /// Latency EWMA of the endpoint in nanoseconds, `nil` before the first sample or when
    /// the strategy did not ask for latency tracking.
    @inline(__always)
    public func latency(at index: Int) -> Double? {
        unretained[index]._withUnsafeGuaranteedRef { $0.latency }
    }

    /// Requests in flight over the whole table, or 0 when the strategy did not ask for it
    /// (``BalancingStrategy/tracksTotalInFlight``).
    @inline(__always)
    public var totalInFlight: Int { total?.value.load(ordering: .relaxed) ?? 0 }

    /// Books one pick: in-flight counts up.
    @inline(__always)
    func begin(_ index: Int) {
        unretained[index]._withUnsafeGuaranteedRef { _ = $0.inFlight.wrappingAdd(1, ordering: .relaxed) }
        total?.value.wrappingAdd(1, ordering: .relaxed)
    }

    /// Books the end of a request; see ``Lease/complete(_:now:)``.
    ///
    /// Converting `now` to nanoseconds costs about as much as the rest of a pick, so it is
    /// done only when a latency sample or a failure needs it.
    func complete(_ index: Int, outcome: RequestOutcome, startedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        unretained[index]._withUnsafeGuaranteedRef { state in
            complete(state, outcome: outcome, startedAt: startedAt, now: now)
        }
    }

    @inline(__always)
    private func complete(_ state: EndpointState, outcome: RequestOutcome, startedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        let remaining = state.inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue
        total?.value.wrappingSubtract(1, ordering: .relaxed)
        switch outcome {
        case .success:
            if let latencyDecay {
                let latency = ClockOrigin.nanoseconds(startedAt.duration(to: now))
                state.recordLatency(latency, at: origin.nanoseconds(now), decay: latencyDecay)
            }
            state.recordSuccess()
        case .cancelled:
            break
        case .connectionFailure, .serverError:
            if let outlierDetection, state.recordFailure(outcome, policy: outlierDetection) {
                owner?.eject(state, now: origin.nanoseconds(now), policy: outlierDetection)
            }
        }
        if remaining == 0 && state.isDraining.load(ordering: .acquiring) {
            owner?.endpointDrained()
        }
    }
}

/// The table-wide in-flight counter, shared by every snapshot of one balancer.
final class InFlightTotal: Sendable {
    let value = Atomic<Int>(0)
}

/// What a candidate set tells its balancer after a completion.
protocol TableEventSink: AnyObject, Sendable {
    /// An endpoint's failure streak reached its threshold: eject it if the max-ejection cap
    /// allows, and republish the table without it.
    func eject(_ state: EndpointState, now: Int64, policy: OutlierDetection)
    /// A draining endpoint's last request finished: forget it.
    func endpointDrained()
}
