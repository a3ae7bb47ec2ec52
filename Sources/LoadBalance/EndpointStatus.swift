/// A point-in-time view of one endpoint for status pages, metrics and tests.
public struct EndpointStatus: Sendable, Hashable {
    /// The endpoint as last announced by discovery.
    public var endpoint: Endpoint
    /// Up, down (and why) or draining.
    public var health: EndpointHealth
    /// Requests picked and not yet completed.
    public var inFlight: Int
    /// How many times outlier detection ejected it.
    public var ejections: Int
    /// Its current effective weight (×1024, slow start applied); 0 when it is not a
    /// candidate for picks right now.
    public var effectiveWeight: UInt32
    /// Latency EWMA in nanoseconds, when tracked.
    public var latencyNanoseconds: Double?
}
