public import LoadBalance
public import SRVDiscovery

extension LoadBalance.Endpoint {
    /// The balancer's endpoint for a task found through DNS: id and address `address:port`
    /// (IPv6 in brackets in the id), the SRV priority and weight, and the SRV target kept
    /// for logs. The id is what outlier detection and in-flight counts hang on, so it must
    /// stay the same across answers for the same task — address and port do.
    public init(_ discovered: SRVDiscovery.Endpoint) {
        self.init(
            address: discovered.address.description, port: Int(discovered.port),
            weight: discovered.weight, priority: discovered.priority, target: discovered.target)
    }

    /// `address:port` as the authority of a URL (RFC 3986 §3.2.2: an IPv6 literal in
    /// brackets), so a call is `"http://\(endpoint.authority)/path"` whatever the family.
    public var authority: String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

extension EndpointSet {
    /// The set as a balancer's membership: one endpoint per address and port (two SRV
    /// targets resolving to the same task would otherwise be a duplicate id, which
    /// `LoadBalancer.update(_:now:)` refuses); the first in the set's stable order is kept.
    public var balancerEndpoints: [LoadBalance.Endpoint] {
        var seen: Set<String> = []
        var result: [LoadBalance.Endpoint] = []
        result.reserveCapacity(count)
        for discovered in self {
            let endpoint = LoadBalance.Endpoint(discovered)
            if seen.insert(endpoint.id).inserted { result.append(endpoint) }
        }
        return result
    }
}
