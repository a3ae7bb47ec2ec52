/// Passive health checking: endpoints whose real requests fail in a row are ejected for a
/// while, the way Envoy's outlier detection and HAProxy's `observe layer4/layer7` do.
///
/// An endpoint is ejected after `consecutiveConnectionFailures` connection failures or
/// `consecutiveServerErrors` 5xx responses in a row (any success resets both counts). The
/// ejection lasts `baseEjection × backoffMultiplier^k`, capped at `maxEjection`, where `k`
/// counts earlier ejections; `k` starts over once the endpoint has stayed in for
/// `forgetAfter` — a flapping endpoint is kept out longer and longer, a one-off is forgiven.
/// At most `maxEjectionPercent` of the table is ejected at once.
public struct OutlierDetection: Sendable, Hashable {
    /// Connection failures in a row that eject an endpoint (0 disables this trigger).
    public var consecutiveConnectionFailures: Int
    /// 5xx responses in a row that eject an endpoint (0 disables this trigger).
    public var consecutiveServerErrors: Int
    /// Length of the first ejection.
    public var baseEjection: Duration
    /// Factor by which each repeated ejection grows (at least 1).
    public var backoffMultiplier: Int
    /// Upper bound of one ejection.
    public var maxEjection: Duration
    /// Time an endpoint must stay in after an ejection before its back-off starts over.
    public var forgetAfter: Duration
    /// Most endpoints (in percent of the table) that may be ejected at once; one endpoint
    /// may always be ejected. Keeps a failure that is not the endpoints' fault (a broken
    /// dependency, a bad deploy of the caller) from ejecting the whole fleet. Envoy's
    /// default is 10.
    public var maxEjectionPercent: Int

    /// Creates a policy; defaults follow Envoy (5 failures, 30 s base) with a 5 min cap.
    public init(
        consecutiveConnectionFailures: Int = 5,
        consecutiveServerErrors: Int = 5,
        baseEjection: Duration = .seconds(30),
        backoffMultiplier: Int = 2,
        maxEjection: Duration = .seconds(300),
        forgetAfter: Duration = .seconds(300),
        maxEjectionPercent: Int = 10
    ) {
        self.consecutiveConnectionFailures = consecutiveConnectionFailures
        self.consecutiveServerErrors = consecutiveServerErrors
        self.baseEjection = baseEjection
        self.backoffMultiplier = backoffMultiplier
        self.maxEjection = maxEjection
        self.forgetAfter = forgetAfter
        self.maxEjectionPercent = maxEjectionPercent
    }
}
