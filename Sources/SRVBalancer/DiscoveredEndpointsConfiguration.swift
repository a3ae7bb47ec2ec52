public import LoadBalance
public import SRVDiscovery

/// Everything about a ``DiscoveredEndpoints`` pool that has a sensible default: how often
/// DNS is asked and what is kept through its failures, how calls are balanced and retried.
///
/// The defaults suit AWS Cloud Map in front of ECS tasks (SRV TTLs of 10–60 s, tasks that
/// come and go with deploys and are sometimes killed); change only what your service needs:
///
/// ```swift
/// var configuration = DiscoveredEndpointsConfiguration()
/// configuration.maximumAttempts = 1   // the calls are not idempotent: never retry
/// ```
public struct DiscoveredEndpointsConfiguration: Sendable {
    /// When DNS is asked again and what is kept through failures: at least every 1 s even
    /// with TTL 0, at most every 60 s even with a TTL of a day, a task missing from one
    /// answer kept 30 s, the last set kept 300 s while DNS fails and 30 s through NXDOMAIN or
    /// an empty answer (see `EndpointWatcherConfiguration`).
    public var refresh: EndpointWatcherConfiguration
    /// How a call's endpoint is chosen. Power of two choices (the default) sends each call to
    /// the less busy of two random tasks, which keeps a slow task from collecting a queue.
    public var strategy: any BalancingStrategy
    /// Health and weights: passive outlier detection (5 connection failures or 5 × 5xx in a
    /// row eject a task for 30 s, doubling up to 5 min), RFC 2782 priorities and weights, and
    /// a 50 % panic threshold (see `LoadBalancerConfiguration`).
    public var balancer: LoadBalancerConfiguration
    /// Which address records of the SRV targets are used (A records: Cloud Map's `awsvpc` tasks).
    public var addressPreference: SRVResolver.AddressPreference
    /// How many endpoints one call may try: a call whose attempt ends in a connection failure
    /// is made again on an endpoint it has not tried yet, up to this many attempts in all.
    /// `1` never retries (for calls that must not be repeated).
    public var maximumAttempts: Int
    /// How long a call made before the first DNS answer arrived waits for it (a service that
    /// takes requests while its pool is still starting), before failing with
    /// ``DiscoveredEndpointsError/noAnswerYet(name:waited:)``.
    public var firstAnswerTimeout: Duration

    /// Creates a configuration; every parameter has the default described on its property.
    public init(
        refresh: EndpointWatcherConfiguration = EndpointWatcherConfiguration(),
        strategy: any BalancingStrategy = .powerOfTwoChoices,
        balancer: LoadBalancerConfiguration = LoadBalancerConfiguration(),
        addressPreference: SRVResolver.AddressPreference = .ipv4,
        maximumAttempts: Int = 3,
        firstAnswerTimeout: Duration = .seconds(10)
    ) {
        self.refresh = refresh
        self.strategy = strategy
        self.balancer = balancer
        self.addressPreference = addressPreference
        self.maximumAttempts = max(1, maximumAttempts)
        self.firstAnswerTimeout = max(.zero, firstAnswerTimeout)
    }
}
