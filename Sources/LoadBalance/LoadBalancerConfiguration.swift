/// Everything about a ``LoadBalancer`` that is not the strategy: health, slow start,
/// SRV weight handling and the panic threshold.
public struct LoadBalancerConfiguration: Sendable, Hashable {
    /// Slow start for endpoints that join later; `nil` gives them full weight at once.
    public var slowStart: SlowStart?
    /// Passive outlier detection; `nil` never ejects.
    public var outlierDetection: OutlierDetection?
    /// Interpretation of active health check results.
    public var activeHealthChecks: ActiveHealthCheckPolicy
    /// Below this share of healthy endpoints (over all tiers, draining ones excluded) the
    /// balancer stops trusting health and spreads traffic over every endpoint of every
    /// tier, rather than overloading the few left (Envoy's panic threshold). In `0...1`;
    /// `0` disables panic mode, and then an all-unhealthy table yields
    /// ``NoEndpointReason/allUnhealthy``.
    public var panicThreshold: Double
    /// Treat every endpoint as weight 1, as if SRV weights were absent — for registries that
    /// publish meaningless weights.
    public var ignoresWeights: Bool

    /// Creates a configuration; the defaults are outlier detection on, no slow start,
    /// HAProxy rise/fall, a 50 % panic threshold (Envoy's default) and SRV weights honoured.
    public init(
        slowStart: SlowStart? = nil,
        outlierDetection: OutlierDetection? = OutlierDetection(),
        activeHealthChecks: ActiveHealthCheckPolicy = ActiveHealthCheckPolicy(),
        panicThreshold: Double = 0.5,
        ignoresWeights: Bool = false
    ) {
        self.slowStart = slowStart
        self.outlierDetection = outlierDetection
        self.activeHealthChecks = activeHealthChecks
        self.panicThreshold = panicThreshold
        self.ignoresWeights = ignoresWeights
    }

    /// Checks every field and returns the first problem found.
    func validate() throws(LoadBalancerError) {
        if !(0...1).contains(panicThreshold) {
            throw .invalidConfiguration(field: "panicThreshold", reason: "must be in 0...1, got \(panicThreshold)")
        }
        if let slowStart {
            if slowStart.window <= .zero {
                throw .invalidConfiguration(field: "slowStart.window", reason: "must be positive, got \(slowStart.window)")
            }
            if !(0...1).contains(slowStart.initialFraction) {
                throw .invalidConfiguration(field: "slowStart.initialFraction", reason: "must be in 0...1, got \(slowStart.initialFraction)")
            }
            if slowStart.steps < 1 {
                throw .invalidConfiguration(field: "slowStart.steps", reason: "must be at least 1, got \(slowStart.steps)")
            }
        }
        if let outlier = outlierDetection {
            if outlier.consecutiveConnectionFailures < 0 || outlier.consecutiveServerErrors < 0 {
                throw .invalidConfiguration(field: "outlierDetection", reason: "failure counts must not be negative")
            }
            if outlier.baseEjection <= .zero || outlier.maxEjection < outlier.baseEjection {
                throw .invalidConfiguration(field: "outlierDetection.baseEjection", reason: "must be positive and not above maxEjection")
            }
            if !(0...100).contains(outlier.maxEjectionPercent) {
                throw .invalidConfiguration(field: "outlierDetection.maxEjectionPercent", reason: "must be in 0...100, got \(outlier.maxEjectionPercent)")
            }
            if outlier.backoffMultiplier < 1 {
                throw .invalidConfiguration(field: "outlierDetection.backoffMultiplier", reason: "must be at least 1, got \(outlier.backoffMultiplier)")
            }
        }
        if activeHealthChecks.rise < 1 || activeHealthChecks.fall < 1 {
            throw .invalidConfiguration(field: "activeHealthChecks", reason: "rise and fall must be at least 1")
        }
    }
}
