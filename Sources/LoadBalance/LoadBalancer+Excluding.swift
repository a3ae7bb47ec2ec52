extension LoadBalancer {
    /// Picks an endpoint for a retry: like ``pick(key:now:)``, but never one whose id is in
    /// `excluding` (the endpoints this request already failed on).
    ///
    /// The strategy is asked first, a few times, so a retry still follows its weights and
    /// loads; when it keeps drawing excluded endpoints (a random strategy with few
    /// candidates, a hash strategy whose key maps to the failed endpoint) the first candidate
    /// that is not excluded, from a random starting point, is taken. So a retry never lands
    /// on a failed endpoint while another candidate exists — a bounded number of random
    /// re-draws alone would, now and then, and a client that must not fail a call cannot
    /// afford that. Only the returned lease counts as in flight.
    ///
    /// - Returns: ``PickResult/noEndpoint(_:)`` with ``NoEndpointReason/noEndpoints`` when
    ///   every candidate is excluded (and the table's own reason when it has none at all).
    public func pick(key: HashKey? = nil, excluding: Set<String>, now: ContinuousClock.Instant = .now) -> PickResult {
        var snapshot = current.load(ordering: .acquiring)
        if now >= snapshot.refreshInstant {
            refreshIfDue(origin.nanoseconds(now))
            snapshot = current.load(ordering: .acquiring)
        }
        guard let candidates = snapshot.candidates, let plan = snapshot.plan else {
            return .noEndpoint(snapshot.reason)
        }
        var seed = sharedRandom.wrappingAdd(StableHash.golden, ordering: .relaxed).newValue
        let strategyDraws = excluding.isEmpty ? 1 : 4
        for draw in 0..<strategyDraws {
            // Only the first draw uses the key: a key that maps to a failed endpoint maps
            // there again, so the later draws ask for a random choice instead.
            let input = PickInput(key: draw == 0 ? key : nil, random: StableHash.mix(seed), secondRandom: StableHash.mix(seed ^ 0x5555_5555_5555_5555), ticket: nil)
            let index = plan.pick(input, in: candidates)
            if !excluding.contains(candidates.endpoints[index].id) {
                return Self.lease(index, in: candidates, now: now)
            }
            seed = StableHash.mix(seed &+ StableHash.golden)
        }
        let start = Int(StableHash.reduce(seed, into: candidates.count))
        for offset in 0..<candidates.count {
            let index = (start + offset) % candidates.count
            if !excluding.contains(candidates.endpoints[index].id) {
                return Self.lease(index, in: candidates, now: now)
            }
        }
        return .noEndpoint(.noEndpoints)
    }

    private static func lease(_ index: Int, in candidates: CandidateSet, now: ContinuousClock.Instant) -> PickResult {
        candidates.begin(index)
        return .endpoint(Lease(candidates: candidates, index: index, startedAt: now))
    }
}
