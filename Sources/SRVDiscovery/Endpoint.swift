/// One place a service can be reached: an address and port taken from an SRV record
/// (RFC 2782) and the A/AAAA records of its target.
///
/// Several endpoints may share an address with different ports (ECS tasks with dynamic host
/// ports on one instance); that is normal and needs no flag. An endpoint's identity for
/// change detection is ``Identity`` (target, address, port): a new TTL is not a change, a
/// new priority or weight is an update of the same endpoint.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// What makes two answers name the same endpoint: target (case-insensitively), address, port.
    public struct Identity: Hashable, Sendable {
        /// The target name in lowercase, absolute (ending in a dot).
        public var target: String
        /// The address the target resolved to.
        public var address: IPAddress
        /// The port from the SRV record.
        public var port: UInt16
    }

    /// The address to connect to.
    public var address: IPAddress
    /// The port to connect to (from the SRV record).
    public var port: UInt16
    /// SRV priority: clients use the lowest value present first (RFC 2782).
    public var priority: UInt16
    /// SRV weight: relative share among endpoints of the same priority (RFC 2782).
    public var weight: UInt16
    /// The SRV target name, absolute, as the server wrote it (e.g. `task-1._svc.internal.`).
    public var target: String
    /// Seconds the records behind this endpoint may be cached (min of SRV and address TTL).
    public var ttl: UInt32

    /// Creates an endpoint.
    public init(address: IPAddress, port: UInt16, priority: UInt16, weight: UInt16, target: String, ttl: UInt32) {
        self.address = address
        self.port = port
        self.priority = priority
        self.weight = weight
        self.target = target
        self.ttl = ttl
    }

    /// The identity used to tell whether two answers contain the same endpoint.
    public var identity: Identity {
        Identity(target: target.lowercased(), address: address, port: port)
    }

    /// `address:port` (IPv6 in brackets), then priority/weight and target.
    public var description: String {
        let host: String
        switch address {
        case .v4: host = address.description
        case .v6: host = "[\(address)]"
        }
        return "\(host):\(port) (priority \(priority), weight \(weight), \(target))"
    }

    /// Whether `other` is the same endpoint with the same priority and weight (TTL ignored).
    func isSameMember(as other: Endpoint) -> Bool {
        identity == other.identity && priority == other.priority && weight == other.weight
    }

    /// A stable order: priority, then target, address and port.
    static func stableOrder(_ lhs: Endpoint, _ rhs: Endpoint) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
        let (l, r) = (lhs.identity, rhs.identity)
        if l.target != r.target { return l.target < r.target }
        if l.address != r.address { return l.address < r.address }
        return l.port < r.port
    }
}
