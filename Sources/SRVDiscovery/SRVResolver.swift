import DNSWire
public import Logging

/// Turns an SRV name into endpoints (RFC 2782).
///
/// - The SRV records of the name are fetched through a ``DNSResolving`` (CNAMEs followed).
/// - A single SRV record with target "." means the service is decidedly not available
///   (RFC 2782): the answer is an empty set marked ``EndpointSet/isServiceDeclaredUnavailable``.
///   A "." target among other records is dropped and counted.
/// - Addresses come from the A/AAAA records in the Additional section when the server sent
///   any for a target (RFC 2782 "Additional data"; Cloud Map and BIND do). Targets without
///   such records are resolved with A, AAAA or both queries, per ``AddressPreference``,
///   concurrently. A target whose lookups fail or return nothing yields no endpoint; its SRV
///   records are counted as dropped and the rest of the answer is used.
/// - Several SRV records may point at one address with different ports (ECS tasks sharing an
///   instance): each becomes its own endpoint. Records repeating a target and port are
///   dropped and counted (the first one is kept).
/// - The answer's TTL is the smallest TTL among the SRV records and the address records used.
public struct SRVResolver: SRVResolving {
    /// Which address families to use for SRV targets.
    public enum AddressPreference: Sendable, Hashable {
        /// A records only (the usual choice for Cloud Map and awsvpc tasks).
        case ipv4
        /// AAAA records only.
        case ipv6
        /// Both A and AAAA; additional data of either family counts as complete for a target.
        case both
    }

    private let resolver: any DNSResolving
    private let preference: AddressPreference
    private let logger: Logger

    /// Creates an SRV resolver on top of `resolver`.
    public init(resolver: any DNSResolving, addressPreference: AddressPreference = .ipv4, logger: Logger) {
        self.resolver = resolver
        self.preference = addressPreference
        self.logger = logger
    }

    /// The counters of the underlying resolver (records dropped here are added to them).
    public var counters: ResolverCounters { resolver.counters }

    /// Resolves `name`, an absolute SRV owner name such as `_hello-world-service.internal.`
    /// (a missing final dot is implied).
    public func resolveSRV(_ name: String) async throws(ResolverError) -> SRVAnswer {
        let owner: DomainName
        do {
            owner = try DomainName(name)
        } catch {
            throw .invalidName(name)
        }
        let answer = try await resolver.lookup(owner, type: .srv)
        var records: [(srv: SRV, ttl: UInt32)] = answer.records.compactMap {
            if case .srv(let srv) = $0.data { return (srv, $0.ttl) }
            return nil
        }
        var dropped = answer.records.count - records.count
        if records.count == 1, records[0].srv.target.isRoot {
            return SRVAnswer(endpoints: EndpointSet([], isServiceDeclaredUnavailable: true), ttl: records[0].ttl)
        }
        let declaredUnavailable = records.filter { $0.srv.target.isRoot }.count
        if declaredUnavailable > 0 {
            dropped += declaredUnavailable
            records.removeAll { $0.srv.target.isRoot }
        }

        var addresses = glue(from: answer.additionals, for: Set(records.map(\.srv.target)))
        let missing = Set(records.map(\.srv.target)).subtracting(addresses.keys)
        if !missing.isEmpty {
            let resolved = await resolveTargets(missing)
            addresses.merge(resolved) { glue, _ in glue }
        }

        var endpoints: [Endpoint] = []
        var seen = Set<Endpoint.Identity>()
        var ttl = records.map(\.ttl).min() ?? answer.ttl
        ttl = min(ttl, answer.ttl)
        for (srv, srvTTL) in records {
            guard let targetAddresses = addresses[srv.target], !targetAddresses.isEmpty else {
                dropped += 1
                logger.debug("SRV target has no usable address", metadata: ["name": "\(name)", "target": "\(srv.target)"])
                continue
            }
            for (address, addressTTL) in targetAddresses {
                let endpoint = Endpoint(
                    address: address, port: srv.port, priority: srv.priority, weight: srv.weight,
                    target: "\(srv.target)", ttl: min(srvTTL, addressTTL))
                // Two SRV records for one target and port (differing only in priority or
                // weight) would be one endpoint twice: the first, in answer order, is kept.
                guard seen.insert(endpoint.identity).inserted else {
                    dropped += 1
                    continue
                }
                ttl = min(ttl, addressTTL)
                endpoints.append(endpoint)
            }
        }
        counters.countRecordsDropped(dropped)
        return SRVAnswer(endpoints: EndpointSet(endpoints), ttl: ttl, recordsDropped: dropped + answer.recordsDropped)
    }

    /// A/AAAA records of the Additional section owned by one of `targets`, per preference.
    private func glue(from additionals: [ResourceRecord], for targets: Set<DomainName>) -> [DomainName: [(IPAddress, UInt32)]] {
        var result: [DomainName: [(IPAddress, UInt32)]] = [:]
        for record in additionals where targets.contains(record.name) && record.recordClass == .in {
            if let address = address(of: record) {
                result[record.name, default: []].append((address, record.ttl))
            }
        }
        return result
    }

    private func address(of record: ResourceRecord) -> IPAddress? {
        switch record.data {
        case .a(let v4) where preference != .ipv6:
            return .v4(v4.rawValue)
        case .aaaa(let v6) where preference != .ipv4:
            return .v6(high: v6.high, low: v6.low)
        default:
            return nil
        }
    }

    /// Resolves each target's addresses concurrently; failed lookups leave a target out.
    private func resolveTargets(_ targets: Set<DomainName>) async -> [DomainName: [(IPAddress, UInt32)]] {
        let types: [RecordType]
        switch preference {
        case .ipv4: types = [.a]
        case .ipv6: types = [.aaaa]
        case .both: types = [.a, .aaaa]
        }
        let resolver = self.resolver
        let logger = self.logger
        return await withTaskGroup(of: (DomainName, [(IPAddress, UInt32)]).self) { group in
            for target in targets {
                for type in types {
                    group.addTask {
                        do {
                            let answer = try await resolver.lookup(target, type: type)
                            return (target, answer.records.compactMap { record in
                                switch record.data {
                                case .a(let v4): return (.v4(v4.rawValue), min(record.ttl, answer.ttl))
                                case .aaaa(let v6): return (.v6(high: v6.high, low: v6.low), min(record.ttl, answer.ttl))
                                default: return nil
                                }
                            })
                        } catch {
                            logger.debug("SRV target lookup failed", metadata: ["target": "\(target)", "type": "\(type)", "error": "\(error)"])
                            return (target, [])
                        }
                    }
                }
            }
            var result: [DomainName: [(IPAddress, UInt32)]] = [:]
            for await (target, addresses) in group where !addresses.isEmpty {
                result[target, default: []].append(contentsOf: addresses)
            }
            return result
        }
    }
}
