/// A load-balancing strategy: turns the candidates of one table snapshot into a ``PickPlan``.
///
/// The split is what keeps picks lock-free: everything expensive (schedules, alias tables,
/// rings, Maglev tables) is built once per snapshot, off the pick path, into an immutable
/// plan; a pick only reads the plan and the atomic in-flight counts. Implement it for a
/// custom strategy; the built-in ones are ``RoundRobin``, ``WeightedRandom``,
/// ``LeastConnections``, ``PowerOfTwoChoices``, ``RingHash``, ``Maglev``,
/// ``BoundedLoadHash`` and ``SourceHash``, and ``ConfiguredStrategy`` picks one at run time.
public protocol BalancingStrategy: Sendable {
    /// Builds the plan for `candidates` (at least one). Called on every table change.
    func makePlan(for candidates: CandidateSet) -> any PickPlan

    /// Whether picks need ``CandidateSet/totalInFlight`` (bounded loads do). Off by default
    /// because it is one more shared atomic per pick.
    var tracksTotalInFlight: Bool { get }

    /// Decay time of the per-endpoint latency EWMA when the strategy reads
    /// ``CandidateSet/latency(at:)``; `nil` (the default) skips latency tracking.
    var latencyDecay: Duration? { get }
}

extension BalancingStrategy {
    /// Default: no table-wide in-flight total.
    public var tracksTotalInFlight: Bool { false }
    /// Default: no latency tracking.
    public var latencyDecay: Duration? { nil }
}

/// The immutable product of ``BalancingStrategy/makePlan(for:)`` for one snapshot.
/// `pick` is called from many threads at once and must not block.
public protocol PickPlan: AnyObject, Sendable {
    /// Returns the index of the chosen candidate in `0..<candidates.count`.
    func pick(_ input: PickInput, in candidates: CandidateSet) -> Int
}
