/// The outcome of one successful SRV resolution: the endpoints and how long they may be used.
public struct SRVAnswer: Sendable, Hashable {
    /// The endpoints found (possibly empty when every target failed to resolve).
    public var endpoints: EndpointSet
    /// The smallest TTL among the records used (SRV and addresses), in seconds: when to refresh.
    public var ttl: UInt32
    /// Records that were present but could not become endpoints (targets without addresses,
    /// records of another owner or class, unusable additional data).
    public var recordsDropped: Int

    /// Creates an answer.
    public init(endpoints: EndpointSet, ttl: UInt32, recordsDropped: Int = 0) {
        self.endpoints = endpoints
        self.ttl = ttl
        self.recordsDropped = recordsDropped
    }
}
