import Atomics
import Synchronization

/// Picks endpoints for outgoing requests: an endpoint table that survives discovery
/// updates, health (active checks, passive outlier detection, panic mode), RFC 2782
/// priority tiers and weights, and a pluggable ``BalancingStrategy``.
///
/// ## Concurrency
/// Call everything from any thread. Picks take no lock: the table is published as an
/// immutable snapshot through one atomic reference (read-copy-update); writers (updates,
/// health changes) serialise on a mutex and swap in a new snapshot. In-flight counts and
/// health counters are atomics. For the cheapest picks, give each event loop or task its
/// own ``Picker`` (``makePicker(seed:)``): it caches the snapshot and keeps its own
/// round-robin cursor and random generator, so its picks touch no shared cache line except
/// the endpoint's in-flight counter.
///
/// ## Time
/// Every time-dependent call takes `now` (defaulting to `ContinuousClock.now`); only
/// differences between the instants passed in matter, so tests drive slow start, ejection
/// back-off and latency decay deterministically.
///
/// ```swift
/// let balancer = try LoadBalancer(strategy: .roundRobin)
/// try balancer.update(endpoints)            // from discovery, as often as it changes
/// guard let lease = balancer.pick().lease else { throw NoBackend() }
/// let response = try await call(lease.endpoint)
/// lease.complete(response.status >= 500 ? .serverError : .success)
/// ```
public final class LoadBalancer: Sendable {
    /// The strategy every snapshot's plan is built with.
    public let strategy: any BalancingStrategy
    /// Health, slow start, weights and panic settings.
    public let configuration: LoadBalancerConfiguration

    let origin: ClockOrigin
    let current: ManagedAtomic<Snapshot>
    /// Generation of `current`, readable with a plain load so pickers can keep a cached
    /// snapshot without touching the reference count.
    let publishedGeneration = Atomic<UInt64>(0)
    let table = Locked(EndpointTable())
    let total: InFlightTotal?
    let latencyDecay: Int64?
    /// State of the balancer-wide random sequence used by ``pick(key:now:)``.
    let sharedRandom: Atomic<UInt64>

    /// Creates an empty balancer; picks answer ``NoEndpointReason/noEndpoints`` until the
    /// first ``update(_:now:)``.
    ///
    /// - Throws: ``LoadBalancerError/invalidConfiguration(field:reason:)`` or
    ///   ``LoadBalancerError/invalidStrategy(strategy:reason:)`` for out-of-range settings.
    public init(
        strategy: some BalancingStrategy,
        configuration: LoadBalancerConfiguration = LoadBalancerConfiguration(),
        now: ContinuousClock.Instant = .now
    ) throws(LoadBalancerError) {
        try configuration.validate()
        if let validating = strategy as? any ValidatedStrategy {
            try validating.validate()
        }
        if let decay = strategy.latencyDecay, decay <= .zero {
            throw .invalidStrategy(strategy: "\(type(of: strategy))", reason: "latencyDecay must be positive")
        }
        self.strategy = strategy
        self.configuration = configuration
        self.origin = ClockOrigin(now)
        self.current = ManagedAtomic(Snapshot(generation: 0, candidates: nil, plan: nil, reason: .noEndpoints, refreshAt: .max, origin: ClockOrigin(now)))
        self.total = strategy.tracksTotalInFlight ? InFlightTotal() : nil
        self.latencyDecay = strategy.latencyDecay.map(ClockOrigin.nanoseconds)
        var system = SystemRandomNumberGenerator()
        self.sharedRandom = Atomic(system.next())
    }

    /// Replaces the table's membership with `endpoints` (typically every answer of an SRV
    /// watcher). Kept endpoints keep in-flight counts and health; new ones slow-start when
    /// configured; removed ones drain: no pick that starts after this call returns chooses
    /// them, and ``status(now:)`` lists them until their in-flight count reaches zero.
    /// (A pick racing with this call may still use the previous snapshot; its lease stays
    /// valid and completes normally.)
    ///
    /// - Throws: ``LoadBalancerError/duplicateEndpointID(_:index:)`` or
    ///   ``LoadBalancerError/invalidPort(id:port:)``; the table is then unchanged.
    public func update(_ endpoints: [Endpoint], now: ContinuousClock.Instant = .now) throws(LoadBalancerError) {
        let nanos = origin.nanoseconds(now)
        try table.withLock { (table: inout EndpointTable) throws(LoadBalancerError) in
            try table.apply(endpoints, now: nanos, configuration: configuration)
            publish(&table, now: nanos)
            table.pruneDrained()
        }
    }

    /// Picks an endpoint for one request, using balancer-wide rotation and randomness (one
    /// shared atomic each). Prefer a per-loop ``Picker`` on hot paths.
    ///
    /// - Parameters:
    ///   - key: the request's hash key for hash strategies; without one they pick randomly.
    ///   - now: the current instant (start of the request, for latency).
    public func pick(key: HashKey? = nil, now: ContinuousClock.Instant = .now) -> PickResult {
        var snapshot = current.load(ordering: .acquiring)
        if now >= snapshot.refreshInstant {
            refreshIfDue(origin.nanoseconds(now))
            snapshot = current.load(ordering: .acquiring)
        }
        let seed = sharedRandom.wrappingAdd(StableHash.golden, ordering: .relaxed).newValue
        let input = PickInput(key: key, random: StableHash.mix(seed), secondRandom: StableHash.mix(seed ^ 0x5555_5555_5555_5555), ticket: nil)
        return LoadBalancer.pick(from: snapshot, input: input, now: now)
    }

    /// A picker for one event loop or task, with its own cursor and a random generator
    /// seeded from `seed` (or from the system when `nil`).
    public func makePicker(seed: UInt64? = nil) -> Picker<SplitMix64> {
        makePicker(random: seed.map(SplitMix64.init(seed:)) ?? SplitMix64())
    }

    /// A picker drawing its randomness from `random` — inject a seeded generator to make
    /// random strategies reproducible.
    public func makePicker<Random: RandomNumberGenerator>(random: Random) -> Picker<Random> {
        Picker(balancer: self, random: random)
    }

    /// Feeds one active health check result (HAProxy rise/fall, see
    /// ``ActiveHealthCheckPolicy``). Republishes the table when the endpoint flips.
    ///
    /// - Throws: ``LoadBalancerError/unknownEndpoint(_:)`` when `endpointID` is not a
    ///   current member.
    public func recordHealthCheck(endpointID: String, passed: Bool, now: ContinuousClock.Instant = .now) throws(LoadBalancerError) {
        let nanos = origin.nanoseconds(now)
        try table.withLock { (table: inout EndpointTable) throws(LoadBalancerError) in
            guard let member = table.members.first(where: { $0.state.id == endpointID }) else {
                throw .unknownEndpoint(endpointID)
            }
            let policy = configuration.activeHealthChecks
            if member.state.active.withLock({ $0.record(passed: passed, policy: policy) }) {
                publish(&table, now: nanos)
            }
        }
    }

    /// Republishes the table if time alone has changed it (an ejection ended, a slow-start
    /// step is due). Picks do this on their own; call it to make ``status(now:)`` current.
    public func refresh(now: ContinuousClock.Instant = .now) {
        let nanos = origin.nanoseconds(now)
        table.withLock { publish(&$0, now: nanos) }
    }

    /// Every endpoint of the table, members in discovery order, then draining ones.
    public func status(now: ContinuousClock.Instant = .now) -> [EndpointStatus] {
        let nanos = origin.nanoseconds(now)
        let snapshot = current.load(ordering: .acquiring)
        var weights: [String: UInt32] = [:]
        if let candidates = snapshot.candidates {
            for index in 0..<candidates.count {
                weights[candidates.states[index].id] = candidates.weights[index]
            }
        }
        return table.withLock { table in
            var result: [EndpointStatus] = []
            for member in table.members {
                let state = member.state
                let until = state.ejectedUntil.load(ordering: .acquiring)
                let health: EndpointHealth
                if until > nanos {
                    health = .down(.ejected(until: origin.instant(until)))
                } else if !state.active.withLock({ $0.isUp }) {
                    health = .down(.failedChecks)
                } else {
                    health = .up
                }
                result.append(status(of: member, health: health, weight: weights[state.id] ?? 0))
            }
            for member in table.draining {
                result.append(status(of: member, health: .draining, weight: 0))
            }
            return result
        }
    }

    private func status(of member: EndpointTable.Member, health: EndpointHealth, weight: UInt32) -> EndpointStatus {
        EndpointStatus(
            endpoint: member.endpoint,
            health: health,
            inFlight: member.state.inFlight.load(ordering: .acquiring),
            ejections: member.state.ejections.load(ordering: .relaxed),
            effectiveWeight: weight,
            latencyNanoseconds: member.state.latency)
    }

    /// Rebuilds when a pick noticed the snapshot is stale; if another thread holds the
    /// lock it is already rebuilding, so this pick goes on with the old snapshot.
    func refreshIfDue(_ now: Int64) {
        _ = table.withLockIfAvailable { table in
            if now >= current.load(ordering: .acquiring).refreshAt {
                publish(&table, now: now)
            }
        }
    }

    /// Builds and publishes the next snapshot. Caller holds the table lock.
    private func publish(_ table: inout EndpointTable, now: Int64) {
        let selection = table.select(now: now, configuration: configuration)
        table.generation &+= 1
        let snapshot: Snapshot
        if selection.states.isEmpty {
            snapshot = Snapshot(generation: table.generation, candidates: nil, plan: nil, reason: selection.reason, refreshAt: selection.refreshAt, origin: origin)
        } else {
            let candidates = CandidateSet(
                endpoints: selection.endpoints,
                states: selection.states,
                weights: selection.weights,
                hashWeights: selection.hashWeights,
                isPanicking: selection.isPanicking,
                origin: origin,
                outlierDetection: configuration.outlierDetection,
                latencyDecay: latencyDecay,
                total: total,
                owner: self)
            let plan = strategy.makePlan(for: candidates)
            snapshot = Snapshot(generation: table.generation, candidates: candidates, plan: plan, reason: selection.reason, refreshAt: selection.refreshAt, origin: origin)
        }
        current.store(snapshot, ordering: .releasing)
        publishedGeneration.store(table.generation, ordering: .releasing)
    }

    /// The lock-free part of every pick.
    @inline(__always)
    static func pick(from snapshot: Snapshot, input: PickInput, now: ContinuousClock.Instant) -> PickResult {
        guard let candidates = snapshot.candidates, let plan = snapshot.plan else {
            return .noEndpoint(snapshot.reason)
        }
        let index = plan.pick(input, in: candidates)
        candidates.begin(index)
        return .endpoint(Lease(candidates: candidates, index: index, startedAt: now))
    }
}

extension LoadBalancer: TableEventSink {
    /// Decides under the table lock, so that concurrent ejections cannot together exceed
    /// `maxEjectionPercent` (Envoy's rule: at least one endpoint may always be ejected).
    func eject(_ state: EndpointState, now: Int64, policy: OutlierDetection) {
        table.withLock { table in
            guard !state.isEjected(at: now) else { return }
            let ejected = table.members.reduce(0) { $0 + ($1.state.isEjected(at: now) ? 1 : 0) }
            if ejected > 0 && (ejected + 1) * 100 > policy.maxEjectionPercent * table.members.count {
                state.resetFailureStreaks()
                return
            }
            if state.eject(at: now, policy: policy) {
                publish(&table, now: now)
            }
        }
    }

    func endpointDrained() {
        table.withLock { $0.pruneDrained() }
    }
}

/// A strategy with parameters that can be out of range.
protocol ValidatedStrategy {
    func validate() throws(LoadBalancerError)
}
