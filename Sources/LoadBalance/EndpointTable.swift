/// The writer-side table behind a ``LoadBalancer``: current members in discovery order, the
/// draining ones, and the rules that turn them into a ``CandidateSet``. Lives inside the
/// balancer's mutex; picks never see it.
struct EndpointTable: Sendable {
    /// One endpoint of the table with its long-lived state.
    struct Member: Sendable {
        var endpoint: Endpoint
        let state: EndpointState
        /// Start of its slow-start ramp, `nil` once it has full weight.
        var rampStart: Int64?
        /// Whether the previous selection found it healthy; a return to health restarts
        /// slow start, because an endpoint coming back from an outage is as cold as a new
        /// one (Envoy does the same).
        var wasHealthy: Bool
    }

    /// What the rules chose for one snapshot.
    struct Selection {
        var endpoints = ContiguousArray<Endpoint>()
        var states = ContiguousArray<EndpointState>()
        var weights = ContiguousArray<UInt32>()
        var hashWeights = ContiguousArray<UInt32>()
        var isPanicking = false
        var reason = NoEndpointReason.noEndpoints
        var refreshAt = Int64.max
    }

    /// Scale of effective weights, so that a slow-start fraction of weight 1 stays distinct.
    static let weightScale: Double = 1024

    var members: [Member] = []
    var draining: [Member] = []
    var generation: UInt64 = 0
    private var hasReceivedUpdate = false

    /// Replaces the membership with `endpoints`: kept ids keep their state and take the new
    /// weight/priority/metadata, new ids start fresh (slow-starting after the first update),
    /// missing ids start draining. A draining id that comes back is revived as it was.
    mutating func apply(_ endpoints: [Endpoint], now: Int64, configuration: LoadBalancerConfiguration) throws(LoadBalancerError) {
        var seen = Set<String>(minimumCapacity: endpoints.count)
        for (index, endpoint) in endpoints.enumerated() {
            if !seen.insert(endpoint.id).inserted {
                throw .duplicateEndpointID(endpoint.id, index: index)
            }
            if !(0...65535).contains(endpoint.port) {
                throw .invalidPort(id: endpoint.id, port: endpoint.port)
            }
        }
        var existing = [String: Member](minimumCapacity: members.count + draining.count)
        for member in draining { existing[member.state.id] = member }
        for member in members { existing[member.state.id] = member }

        var next: [Member] = []
        next.reserveCapacity(endpoints.count)
        for endpoint in endpoints {
            if var member = existing.removeValue(forKey: endpoint.id) {
                member.endpoint = endpoint
                member.state.isDraining.store(false, ordering: .releasing)
                next.append(member)
            } else {
                let state = EndpointState(id: endpoint.id, startsUp: configuration.activeHealthChecks.startsUp)
                let ramps = hasReceivedUpdate && configuration.slowStart != nil
                next.append(Member(endpoint: endpoint, state: state, rampStart: ramps ? now : nil, wasHealthy: configuration.activeHealthChecks.startsUp))
            }
        }
        var nowDraining: [Member] = []
        for member in existing.values {
            member.state.isDraining.store(true, ordering: .releasing)
            nowDraining.append(member)
        }
        // Draining endpoints have no discovery order any more; sort by id so status
        // output is stable.
        nowDraining.sort { $0.state.id < $1.state.id }
        members = next
        draining = nowDraining
        hasReceivedUpdate = true
    }

    /// Forgets draining endpoints whose last request has finished.
    mutating func pruneDrained() {
        draining.removeAll { $0.state.inFlight.load(ordering: .acquiring) == 0 }
    }

    /// Applies RFC 2782 tier selection, weight rules, health, panic mode and slow start.
    ///
    /// - Tier: the lowest priority value with a healthy endpoint (RFC 2782: "A client MUST
    ///   attempt to contact the target host with the lowest-numbered priority it can
    ///   reach"); higher tiers are failover only.
    /// - Weights: within the tier, endpoints with weight 0 are used only when every
    ///   endpoint of the tier has weight 0 (then all count as 1).
    /// - Panic: below `panicThreshold` healthy, every endpoint of every tier is a candidate.
    mutating func select(now: Int64, configuration: LoadBalancerConfiguration) -> Selection {
        var selection = Selection()
        guard !members.isEmpty else {
            selection.reason = .noEndpoints
            return selection
        }
        var healthy = [Bool](repeating: false, count: members.count)
        var healthyCount = 0
        var bestPriority = UInt16.max
        for (index, member) in members.enumerated() {
            let until = member.state.ejectedUntil.load(ordering: .acquiring)
            if until > now { selection.refreshAt = min(selection.refreshAt, until) }
            let isHealthy = member.state.isHealthy(at: now)
            if isHealthy && !member.wasHealthy && hasReceivedUpdate && configuration.slowStart != nil {
                members[index].rampStart = now
            }
            members[index].wasHealthy = isHealthy
            if isHealthy {
                healthy[index] = true
                healthyCount += 1
                bestPriority = min(bestPriority, member.endpoint.priority)
            }
        }
        let threshold = configuration.panicThreshold
        let panicking = threshold > 0 && Double(healthyCount) < threshold * Double(members.count)
        if healthyCount == 0 && !panicking {
            selection.reason = .allUnhealthy
            return selection
        }
        selection.isPanicking = panicking
        var chosen: [Int] = []
        chosen.reserveCapacity(members.count)
        for index in members.indices where panicking || (healthy[index] && members[index].endpoint.priority == bestPriority) {
            chosen.append(index)
        }
        let anyPositive = chosen.contains { members[$0].endpoint.weight > 0 }
        for index in chosen {
            let weight = members[index].endpoint.weight
            let base: UInt32
            if configuration.ignoresWeights || !anyPositive {
                base = 1
            } else if weight == 0 {
                continue
            } else {
                base = UInt32(weight)
            }
            let fraction = rampFraction(of: index, now: now, configuration: configuration, refreshAt: &selection.refreshAt)
            let effective = max(1, UInt32((Double(base) * EndpointTable.weightScale * fraction).rounded()))
            selection.endpoints.append(members[index].endpoint)
            selection.states.append(members[index].state)
            selection.weights.append(effective)
            selection.hashWeights.append(base)
        }
        // Finish ramps of members that were not chosen this time too.
        for index in members.indices where members[index].rampStart != nil {
            _ = rampFraction(of: index, now: now, configuration: configuration, refreshAt: &selection.refreshAt)
        }
        return selection
    }

    /// Slow-start share of `members[index]` at `now`, in `(0, 1]`; records the next step in
    /// `refreshAt` and ends the ramp once the window has passed.
    private mutating func rampFraction(of index: Int, now: Int64, configuration: LoadBalancerConfiguration, refreshAt: inout Int64) -> Double {
        guard let start = members[index].rampStart, let slowStart = configuration.slowStart else {
            members[index].rampStart = nil
            return 1
        }
        let window = ClockOrigin.nanoseconds(slowStart.window)
        let elapsed = max(0, now &- start)
        if elapsed >= window {
            members[index].rampStart = nil
            return 1
        }
        let steps = Int64(slowStart.steps)
        let step = Int64((Double(elapsed) * Double(steps) / Double(window)).rounded(.down))
        let nextStep = start &+ Int64((Double(window) * Double(step + 1) / Double(steps)).rounded(.up))
        refreshAt = min(refreshAt, max(nextStep, now &+ 1))
        return slowStart.initialFraction + (1 - slowStart.initialFraction) * Double(step) / Double(steps)
    }
}
