import DNSWire
import Logging
import Synchronization
import Testing

@testable import SRVDiscovery

@Suite("SRV answers into endpoints (RFC 2782), with a table resolver")
struct SRVResolverTests {
    static let service = "_svc.internal."

    private func n(_ text: String) -> DomainName { try! DomainName(text) }

    private func srv(_ target: String, port: UInt16, priority: UInt16 = 1, weight: UInt16 = 1, ttl: UInt32 = 30) -> ResourceRecord {
        ResourceRecord(name: n(Self.service), ttl: ttl, data: .srv(SRV(priority: priority, weight: weight, port: port, target: n(target))))
    }

    private func a(_ owner: String, _ last: UInt8, ttl: UInt32 = 30) -> ResourceRecord {
        ResourceRecord(name: n(owner), ttl: ttl, data: .a(IPv4Address(10, 0, 0, last)))
    }

    private func aaaa(_ owner: String, _ low: UInt64, ttl: UInt32 = 30) -> ResourceRecord {
        ResourceRecord(name: n(owner), ttl: ttl, data: .aaaa(IPv6Address(high: 0x2001_0db8_0000_0000, low: low)))
    }

    private func answer(_ records: [ResourceRecord], additionals: [ResourceRecord] = [], name: String = SRVResolverTests.service, type: RecordType = .srv) -> Result<DNSAnswer, ResolverError> {
        .success(DNSAnswer(
            question: Question(name: n(name), type: type), canonicalName: n(name), records: records,
            additionals: additionals, ttl: records.map(\.ttl).min() ?? 0))
    }

    private func resolve(_ table: [String: Result<DNSAnswer, ResolverError>], preference: SRVResolver.AddressPreference = .ipv4) async throws -> (SRVAnswer, TableDNSResolver) {
        let dns = TableDNSResolver(table)
        let result = try await SRVResolver(resolver: dns, addressPreference: preference, logger: Logger.quiet).resolveSRV(Self.service)
        return (result, dns)
    }

    @Test("addresses from the Additional section are used without further queries")
    func glue() async throws {
        let (result, dns) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 8001), srv("t2.internal.", port: 8002)],
                                         additionals: [a("t1.internal.", 1), a("T2.internal.", 2)]),
        ])
        #expect(result.endpoints.map(\.description) == [
            "10.0.0.1:8001 (priority 1, weight 1, t1.internal.)",
            "10.0.0.2:8002 (priority 1, weight 1, t2.internal.)",
        ])
        #expect(dns.questions == ["_svc.internal. SRV"])
    }

    @Test("targets without glue are resolved with A queries by default")
    func resolvesTargets() async throws {
        let (result, dns) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 8001)]),
            "t1.internal. A": answer([a("t1.internal.", 1, ttl: 4)], name: "t1.internal.", type: .a),
        ])
        #expect(result.endpoints.map(\.port) == [8001])
        #expect(result.ttl == 4)
        #expect(result.endpoints.first?.ttl == 4)
        #expect(dns.questions == ["_svc.internal. SRV", "t1.internal. A"])
    }

    @Test("with .both, A and AAAA are asked and each address is an endpoint")
    func bothFamilies() async throws {
        let (result, dns) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 8001)]),
            "t1.internal. A": answer([a("t1.internal.", 1)], name: "t1.internal.", type: .a),
            "t1.internal. AAAA": answer([aaaa("t1.internal.", 1)], name: "t1.internal.", type: .aaaa),
        ], preference: .both)
        #expect(result.endpoints.map { "\($0.address)" } == ["10.0.0.1", "2001:db8::1"])
        #expect(dns.questions == ["_svc.internal. SRV", "t1.internal. A", "t1.internal. AAAA"])
    }

    @Test("with .ipv6, A glue is ignored and AAAA is asked")
    func ipv6Only() async throws {
        let (result, _) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 8001)], additionals: [a("t1.internal.", 1)]),
            "t1.internal. AAAA": answer([aaaa("t1.internal.", 5)], name: "t1.internal.", type: .aaaa),
        ], preference: .ipv6)
        #expect(result.endpoints.map { "\($0.address)" } == ["2001:db8::5"])
    }

    @Test("a target that does not resolve is dropped and counted; the others stay")
    func unresolvableTarget() async throws {
        let (result, dns) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 8001), srv("gone.internal.", port: 8002)],
                                         additionals: [a("t1.internal.", 1)]),
        ])
        #expect(result.endpoints.map(\.port) == [8001])
        #expect(result.recordsDropped == 1)
        #expect(dns.counters.snapshot().recordsDropped == 1)
    }

    @Test("several SRV records on one address with different ports are separate endpoints")
    func sharedAddress() async throws {
        let (result, _) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 32768), srv("t2.internal.", port: 32769)],
                                         additionals: [a("t1.internal.", 7), a("t2.internal.", 7)]),
        ])
        #expect(result.endpoints.map { "\($0.address):\($0.port)" } == ["10.0.0.7:32768", "10.0.0.7:32769"])
    }

    @Test("a second SRV record for the same target and port is dropped and counted, the first kept")
    func duplicateTargetPort() async throws {
        let (result, _) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 8001, weight: 5), srv("T1.internal.", port: 8001, weight: 9)],
                                         additionals: [a("t1.internal.", 1)]),
        ])
        #expect(result.endpoints.map(\.weight) == [5])
        #expect(result.recordsDropped == 1)
    }

    @Test("priority and weight are kept, and endpoints sort by priority")
    func priorityWeight() async throws {
        let (result, _) = try await resolve([
            "_svc.internal. SRV": answer([srv("t2.internal.", port: 2, priority: 20, weight: 5), srv("t1.internal.", port: 1, priority: 10, weight: 60)],
                                         additionals: [a("t1.internal.", 1), a("t2.internal.", 2)]),
        ])
        #expect(result.endpoints.map { [$0.priority, $0.weight] } == [[10, 60], [20, 5]])
    }

    @Test("a lone target \".\" declares the service unavailable; among others it is dropped")
    func rootTarget() async throws {
        let (alone, _) = try await resolve(["_svc.internal. SRV": answer([srv(".", port: 0)])])
        #expect(alone.endpoints.isServiceDeclaredUnavailable)
        #expect(alone.endpoints.isEmpty)
        let (mixed, _) = try await resolve([
            "_svc.internal. SRV": answer([srv(".", port: 0), srv("t1.internal.", port: 8001)], additionals: [a("t1.internal.", 1)]),
        ])
        #expect(!mixed.endpoints.isServiceDeclaredUnavailable)
        #expect(mixed.endpoints.map(\.port) == [8001])
        #expect(mixed.recordsDropped == 1)
    }

    @Test("the answer TTL is the smallest of SRV and address TTLs")
    func ttlIsMinimum() async throws {
        let (result, _) = try await resolve([
            "_svc.internal. SRV": answer([srv("t1.internal.", port: 1, ttl: 60), srv("t2.internal.", port: 2, ttl: 20)],
                                         additionals: [a("t1.internal.", 1, ttl: 15), a("t2.internal.", 2, ttl: 300)]),
        ])
        #expect(result.ttl == 15)
        #expect(result.endpoints.map(\.ttl) == [15, 20])
    }

    @Test("NXDOMAIN for the SRV name is passed on as is")
    func nxdomain() async {
        await #expect(throws: ResolverError.nameError(name: "_svc.internal.", negativeTTL: nil)) {
            _ = try await resolve([:])
        }
    }

    @Test("a name that cannot be a DNS name is invalidName")
    func invalidName() async {
        let resolver = SRVResolver(resolver: TableDNSResolver([:]), logger: Logger.quiet)
        let label = String(repeating: "x", count: 64)
        await #expect(throws: ResolverError.invalidName("\(label).internal.")) {
            _ = try await resolver.resolveSRV("\(label).internal.")
        }
    }
}
