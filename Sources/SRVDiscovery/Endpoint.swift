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
        /// The target name with ASCII letters in lower case (RFC 4343), absolute (ending in a dot).
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
        Identity(target: String(decoding: target.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self), address: address, port: port)
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
    /// Compares without allocating: this runs for every endpoint on every refresh.
    func isSameMember(as other: Endpoint) -> Bool {
        address == other.address && port == other.port && priority == other.priority
            && weight == other.weight && Self.compareIgnoringASCIICase(target, other.target) == 0
    }

    /// A stable order: priority, then target (ignoring ASCII case), address and port.
    static func stableOrder(_ lhs: Endpoint, _ rhs: Endpoint) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
        let targets = compareIgnoringASCIICase(lhs.target, rhs.target)
        if targets != 0 { return targets < 0 }
        if lhs.address != rhs.address { return lhs.address < rhs.address }
        return lhs.port < rhs.port
    }

    /// -1, 0 or 1 as `a` sorts before, equal to or after `b`, folding ASCII upper case to
    /// lower case as DNS names compare (RFC 4343), without allocating lowercased copies.
    static func compareIgnoringASCIICase(_ a: String, _ b: String) -> Int {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?):
                let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
                let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
                if lx != ly { return lx < ly ? -1 : 1 }
            }
        }
    }
}
