/// One backend a load balancer can pick: the library's own value, independent of how it was
/// discovered (DNS SRV, static configuration, a service registry).
///
/// Identity is ``id`` alone. When a discovery update brings an endpoint whose `id` is already
/// in the table, the table keeps that endpoint's counters and health and only takes the new
/// weight, priority and metadata — so choose an `id` that is stable for the lifetime of the
/// backend, such as `"10.0.1.7:32768"` for an ECS task.
public struct Endpoint: Sendable, Hashable, Identifiable {
    /// Stable identity of the backend; also the input of every consistent-hash strategy, so
    /// two proxies that see the same ids map the same keys to the same backends.
    public var id: String
    /// Address to connect to: an IP literal or a host name, exactly as the caller will use it.
    public var address: String
    /// Port to connect to.
    public var port: Int
    /// Relative share of traffic within the endpoint's priority tier (RFC 2782 "weight").
    /// Weight 0 means "only when no endpoint of the tier has a positive weight".
    public var weight: UInt16
    /// Priority tier (RFC 2782 "priority"): lower values are preferred; higher tiers only
    /// receive traffic when no lower tier has a healthy endpoint.
    public var priority: UInt16
    /// The SRV target name this endpoint came from, if any, kept for logs and status pages.
    public var target: String?
    /// Free-form labels (availability zone, task ARN, ...) carried along for the caller.
    public var metadata: [String: String]

    /// Creates an endpoint. `id` defaults to `address:port` (IPv6 literals in brackets).
    public init(
        id: String? = nil,
        address: String,
        port: Int,
        weight: UInt16 = 1,
        priority: UInt16 = 0,
        target: String? = nil,
        metadata: [String: String] = [:]
    ) {
        self.id = id ?? Endpoint.defaultID(address: address, port: port)
        self.address = address
        self.port = port
        self.weight = weight
        self.priority = priority
        self.target = target
        self.metadata = metadata
    }

    /// `address:port`, bracketing IPv6 literals the way URLs do (RFC 3986 §3.2.2).
    static func defaultID(address: String, port: Int) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
