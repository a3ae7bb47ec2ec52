/// The timing rules of an ``EndpointWatcher``; the internal `EndpointWatcherStateMachine`
/// applies them. The defaults suit Cloud Map (SRV TTLs of 10–60 s).
public struct EndpointWatcherConfiguration: Sendable, Hashable {
    /// Never refresh sooner than this, even with TTL 0; also the first retry delay after a failure.
    public var minimumRefresh: Duration
    /// Never refresh later than this, even with a TTL of a day; also the longest retry delay.
    public var maximumRefresh: Duration
    /// How long an endpoint missing from answers is kept after it was last seen.
    public var grace: Duration
    /// How long the last set is kept through failures (timeouts, SERVFAIL, REFUSED).
    public var failureHold: Duration
    /// How long a non-empty set is kept through NXDOMAIN, NODATA or empty answers.
    public var emptyHold: Duration

    /// Creates a configuration; `maximumRefresh` is raised to `minimumRefresh` if smaller.
    public init(
        minimumRefresh: Duration = .seconds(1),
        maximumRefresh: Duration = .seconds(60),
        grace: Duration = .seconds(30),
        failureHold: Duration = .seconds(300),
        emptyHold: Duration = .seconds(30)
    ) {
        self.minimumRefresh = max(minimumRefresh, .milliseconds(1))
        self.maximumRefresh = max(maximumRefresh, self.minimumRefresh)
        self.grace = max(grace, .zero)
        self.failureHold = max(failureHold, .zero)
        self.emptyHold = max(emptyHold, .zero)
    }
}
