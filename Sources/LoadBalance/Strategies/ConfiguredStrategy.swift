/// Any built-in strategy, chosen at run time — what a proxy builds from its configuration
/// file (`balance roundrobin`, `balance leastconn`, ...).
public enum ConfiguredStrategy: BalancingStrategy, Hashable {
    /// ``RoundRobin``.
    case roundRobin(RoundRobin = RoundRobin())
    /// ``WeightedRandom``.
    case weightedRandom
    /// ``LeastConnections``.
    case leastConnections(LeastConnections = LeastConnections())
    /// ``PowerOfTwoChoices``.
    case powerOfTwoChoices(PowerOfTwoChoices = PowerOfTwoChoices())
    /// ``RingHash``.
    case ringHash(RingHash = RingHash())
    /// ``Maglev``.
    case maglev(Maglev = Maglev())
    /// ``BoundedLoadHash``.
    case boundedLoadHash(BoundedLoadHash = BoundedLoadHash())
    /// ``SourceHash``.
    case sourceHash

    var wrapped: any BalancingStrategy {
        switch self {
        case .roundRobin(let strategy): strategy
        case .weightedRandom: WeightedRandom()
        case .leastConnections(let strategy): strategy
        case .powerOfTwoChoices(let strategy): strategy
        case .ringHash(let strategy): strategy
        case .maglev(let strategy): strategy
        case .boundedLoadHash(let strategy): strategy
        case .sourceHash: SourceHash()
        }
    }

    /// Builds the wrapped strategy's plan.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        wrapped.makePlan(for: candidates)
    }

    /// The wrapped strategy's need for an in-flight total.
    public var tracksTotalInFlight: Bool { wrapped.tracksTotalInFlight }

    /// The wrapped strategy's latency decay.
    public var latencyDecay: Duration? { wrapped.latencyDecay }
}

extension ConfiguredStrategy: ValidatedStrategy {
    func validate() throws(LoadBalancerError) {
        if let validating = wrapped as? any ValidatedStrategy {
            try validating.validate()
        }
    }
}
