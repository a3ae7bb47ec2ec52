/// The endpoints of one SRV name at one moment, in a stable order (priority, target, address,
/// port), as ``EndpointWatcher`` yields them.
///
/// Two sets are ``hasSameMembers(as:)`` when they hold the same endpoints with the same
/// priorities and weights; TTLs do not count, because caching resolvers count them down on
/// every answer and that is no change a consumer should hear about.
public struct EndpointSet: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    /// The endpoints, sorted.
    public let endpoints: [Endpoint]
    /// True when the SRV answer said the service is deliberately unavailable (a single
    /// record with target ".", RFC 2782); the set is then empty.
    public let isServiceDeclaredUnavailable: Bool

    /// Creates a set; the endpoints are sorted into the stable order. Takes an array rather
    /// than any sequence so the sort is specialised here: called generically from another
    /// module it cost thousands of allocations for 60 endpoints (see the benchmarks).
    public init(_ endpoints: [Endpoint], isServiceDeclaredUnavailable: Bool = false) {
        self.endpoints = endpoints.sorted(by: Endpoint.stableOrder)
        self.isServiceDeclaredUnavailable = isServiceDeclaredUnavailable
    }

    /// An empty set.
    public static let empty = EndpointSet([])

    /// The first index (always 0).
    public var startIndex: Int { endpoints.startIndex }
    /// One past the last index.
    public var endIndex: Int { endpoints.endIndex }
    /// The endpoint at `position`.
    public subscript(position: Int) -> Endpoint { endpoints[position] }

    /// Whether both sets hold the same endpoints with the same priority and weight, TTL ignored.
    public func hasSameMembers(as other: EndpointSet) -> Bool {
        endpoints.count == other.endpoints.count
            && isServiceDeclaredUnavailable == other.isServiceDeclaredUnavailable
            && zip(endpoints, other.endpoints).allSatisfy { $0.isSameMember(as: $1) }
    }

    /// The endpoints, one per line.
    public var description: String {
        if endpoints.isEmpty { return isServiceDeclaredUnavailable ? "[] (declared unavailable)" : "[]" }
        return "[" + endpoints.map(\.description).joined(separator: ", ") + "]"
    }
}
