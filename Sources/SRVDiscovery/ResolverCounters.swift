import Synchronization

/// Event counters of a resolver, safe to bump from any event loop and read from anywhere.
///
/// A ``DNSResolver`` and the ``SRVResolver`` on top of it share one instance; an
/// ``EndpointWatcher`` reports it in its statistics, so a stats page can show why a set did
/// not change (answers dropped as mismatched, truncations, timeouts).
public final class ResolverCounters: Sendable {
    private let queries = Atomic<Int>(0)
    private let timeouts = Atomic<Int>(0)
    private let truncations = Atomic<Int>(0)
    private let tcpRetries = Atomic<Int>(0)
    private let droppedMismatched = Atomic<Int>(0)
    private let droppedMalformed = Atomic<Int>(0)
    private let recordsDropped = Atomic<Int>(0)
    private let coalesced = Atomic<Int>(0)

    /// Creates counters at zero.
    public init() {}

    /// The values at this moment.
    public func snapshot() -> ResolverStatistics {
        ResolverStatistics(
            queries: queries.load(ordering: .relaxed),
            timeouts: timeouts.load(ordering: .relaxed),
            truncations: truncations.load(ordering: .relaxed),
            tcpRetries: tcpRetries.load(ordering: .relaxed),
            droppedMismatchedAnswers: droppedMismatched.load(ordering: .relaxed),
            droppedMalformedAnswers: droppedMalformed.load(ordering: .relaxed),
            recordsDropped: recordsDropped.load(ordering: .relaxed),
            coalescedQueries: coalesced.load(ordering: .relaxed)
        )
    }

    func countQuery() { queries.add(1, ordering: .relaxed) }
    func countTimeout() { timeouts.add(1, ordering: .relaxed) }
    func countTruncation() { truncations.add(1, ordering: .relaxed) }
    func countTCPRetry() { tcpRetries.add(1, ordering: .relaxed) }
    func countMismatched() { droppedMismatched.add(1, ordering: .relaxed) }
    func countMalformed() { droppedMalformed.add(1, ordering: .relaxed) }
    func countRecordsDropped(_ count: Int) {
        if count > 0 { recordsDropped.add(count, ordering: .relaxed) }
    }
    func countCoalesced() { coalesced.add(1, ordering: .relaxed) }
}

/// A snapshot of ``ResolverCounters``.
public struct ResolverStatistics: Sendable, Hashable {
    /// Queries sent (each UDP or TCP exchange with one nameserver counts once).
    public var queries: Int
    /// Attempts that ended without a matching answer within the timeout.
    public var timeouts: Int
    /// Answers that arrived with the TC bit set.
    public var truncations: Int
    /// Queries repeated over TCP after a truncated UDP answer.
    public var tcpRetries: Int
    /// Datagrams dropped because their source, ID, QR bit or question did not match the query.
    public var droppedMismatchedAnswers: Int
    /// Datagrams or TCP messages dropped because they did not decode as DNS.
    public var droppedMalformedAnswers: Int
    /// Records received but not turned into results (wrong owner, class, unresolvable target).
    public var recordsDropped: Int
    /// Lookups that joined an identical query already in flight instead of sending their own.
    public var coalescedQueries: Int

    /// Creates a snapshot (tests build expected values with it).
    public init(
        queries: Int = 0, timeouts: Int = 0, truncations: Int = 0, tcpRetries: Int = 0,
        droppedMismatchedAnswers: Int = 0, droppedMalformedAnswers: Int = 0,
        recordsDropped: Int = 0, coalescedQueries: Int = 0
    ) {
        self.queries = queries
        self.timeouts = timeouts
        self.truncations = truncations
        self.tcpRetries = tcpRetries
        self.droppedMismatchedAnswers = droppedMismatchedAnswers
        self.droppedMalformedAnswers = droppedMalformedAnswers
        self.recordsDropped = recordsDropped
        self.coalescedQueries = coalescedQueries
    }
}
