/// Power of two choices (Mitzenmacher): draw two candidates by weight, send the request to
/// the one with fewer requests in flight — or, with latency awareness, the lower
/// `(inFlight + 1) × latency EWMA` (Finagle's / Linkerd's "peak EWMA" idea).
///
/// Two random draws avoid the herd behaviour of a global least-loaded choice (every loop
/// piling onto the same idle endpoint) at O(1) per pick. Ties go to the first draw, so an
/// idle table gets exactly weighted random.
public struct PowerOfTwoChoices: BalancingStrategy, Hashable {
    /// Decay time of the latency average; `nil` compares in-flight counts only.
    public var latencyDecay: Duration?

    /// Creates the strategy; pass `latencyDecay` (for example 10 s) to weigh latency.
    public init(latencyDecay: Duration? = nil) {
        self.latencyDecay = latencyDecay
    }

    /// Builds the weighted draw for `candidates`.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        PowerOfTwoChoicesPlan(candidates: candidates, usesLatency: latencyDecay != nil)
    }
}

extension BalancingStrategy where Self == PowerOfTwoChoices {
    /// Power of two choices on in-flight requests.
    public static var powerOfTwoChoices: PowerOfTwoChoices { PowerOfTwoChoices() }

    /// Power of two choices on in-flight requests × latency EWMA decaying over `decay`.
    public static func powerOfTwoChoices(latencyDecay decay: Duration) -> PowerOfTwoChoices {
        PowerOfTwoChoices(latencyDecay: decay)
    }
}

final class PowerOfTwoChoicesPlan: PickPlan {
    let table: AliasTable
    let usesLatency: Bool

    init(candidates: CandidateSet, usesLatency: Bool) {
        self.table = AliasTable(count: candidates.count, isUniform: candidates.hasUniformWeights, weight: candidates.weight(at:))
        self.usesLatency = usesLatency
    }

    func pick(_ input: PickInput, in candidates: CandidateSet) -> Int {
        let n = candidates.count
        let first = table.pick(input.random)
        if n == 1 { return first }
        var second = table.pick(input.secondRandom)
        if second == first {
            // A heavy endpoint drawn twice: compare against any other one.
            second = (first + 1 + StableHash.reduce(input.random(2), into: n - 1)) % n
        }
        let firstLoad = Double(candidates.inFlight(at: first) + 1)
        let secondLoad = Double(candidates.inFlight(at: second) + 1)
        if usesLatency, let firstLatency = candidates.latency(at: first), let secondLatency = candidates.latency(at: second) {
            return secondLoad * secondLatency < firstLoad * firstLatency ? second : first
        }
        // Without latency for both, compare load alone rather than guess a latency.
        return secondLoad < firstLoad ? second : first
    }
}
