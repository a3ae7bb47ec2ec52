import PeerHarness
import DNSWire
import Foundation
import Logging
import NIOCore
import Testing

@testable import SRVDiscovery

/// Against a real BIND `named` started by each test (bind9 package), records changed with
/// `nsupdate` (bind9-dnsutils) the way AWS Cloud Map registers ECS tasks.
@Suite("SRV discovery against a real BIND named", .timeLimit(.minutes(1)))
struct BINDIntegrationTests {
    static let service = "_hello-world-service.internal."

    private func resolver(_ named: NamedServer, timeout: Duration = .milliseconds(500), attempts: Int = 1) throws -> (DNSResolver, CapturingLogHandler.Store) {
        let (logger, store) = CapturingLogHandler.logger()
        let config = ResolverConfig(nameservers: [try named.address], timeout: timeout, attempts: attempts)
        return (DNSResolver(configuration: config, logger: logger), store)
    }

    @Test("an SRV lookup returns each registered task with its port, priority, weight, target and TTL, addresses from Additional data")
    func srvLookup() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        let tasks = [
            CloudMapTask(taskID: "task-a", address: "127.0.0.2", port: 32768, ttl: 5),
            CloudMapTask(taskID: "task-b", address: "127.0.0.2", port: 32769, ttl: 5),
        ]
        try await named.register(tasks)
        let (dns, _) = try resolver(named)
        let srv = SRVResolver(resolver: dns, logger: Logger.quiet)
        let answer = try await srv.resolveSRV(Self.service)
        #expect(answer.endpoints.map(\.description) == [
            "127.0.0.2:32768 (priority 1, weight 1, task-a._hello-world-service.internal.)",
            "127.0.0.2:32769 (priority 1, weight 1, task-b._hello-world-service.internal.)",
        ])
        #expect(answer.ttl == 5)
        #expect(answer.endpoints.allSatisfy { $0.ttl == 5 })
        // Both addresses came as Additional data: one query only.
        #expect(dns.counters.snapshot().queries == 1)
    }

    @Test("a name that does not exist is NXDOMAIN with the zone's negative TTL")
    func nxdomain() async throws {
        let named = try await NamedServer.start(negativeTTL: 1)
        defer { named.stop() }
        let (dns, _) = try resolver(named)
        await #expect(throws: ResolverError.nameError(name: "_nothing.internal.", negativeTTL: 1)) {
            _ = try await dns.lookup(try DomainName("_nothing.internal."), type: .srv)
        }
    }

    @Test("a name without records of the asked type is NODATA, distinct from NXDOMAIN")
    func nodata() async throws {
        let named = try await NamedServer.start(negativeTTL: 1)
        defer { named.stop() }
        let (dns, _) = try resolver(named)
        await #expect(throws: ResolverError.noData(name: "ns.internal.", type: "SRV", negativeTTL: 1)) {
            _ = try await dns.lookup(try DomainName("ns.internal."), type: .srv)
        }
    }

    @Test("a zone the server does not serve is REFUSED")
    func refused() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        let (dns, _) = try resolver(named)
        await #expect(throws: ResolverError.refused(nameserver: try named.address.hostAndPort)) {
            _ = try await dns.lookup(try DomainName("_x.example.com."), type: .srv)
        }
    }

    @Test("a server that is down gives a timeout after every attempt")
    func serverDown() async throws {
        let named = try await NamedServer.start()
        try await named.shutDown()
        let (dns, _) = try resolver(named, timeout: .milliseconds(200), attempts: 2)
        await #expect(throws: ResolverError.timeout(name: "_hello-world-service.internal.", attempts: 2)) {
            _ = try await dns.lookup(try DomainName(Self.service), type: .srv)
        }
        #expect(dns.counters.snapshot().timeouts == 2)
    }

    @Test("60 SRV records do not fit 1232 octets: the truncated UDP answer is retried over TCP and arrives complete")
    func largeAnswerOverTCP() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        let tasks = (0..<60).map { CloudMapTask(taskID: "task-\($0)", address: "127.0.1.\($0 + 1)", port: 30000 + $0, ttl: 5) }
        try await named.register(tasks)
        let (dns, _) = try resolver(named)
        let srv = SRVResolver(resolver: dns, logger: Logger.quiet)
        let answer = try await srv.resolveSRV(Self.service)
        #expect(answer.endpoints.count == 60)
        #expect(Set(answer.endpoints.map(\.port)) == Set((0..<60).map { UInt16(30000 + $0) }))
        let stats = dns.counters.snapshot()
        #expect(stats.truncations >= 1)
        #expect(stats.tcpRetries >= 1)
    }

    @Test("a CNAME to the SRV name is followed")
    func cnameFollowed() async throws {
        let named = try await NamedServer.start(records: [
            "alias 5 IN CNAME _hello-world-service",
            "_hello-world-service 5 IN SRV 1 1 8080 task-a._hello-world-service",
            "task-a._hello-world-service 5 IN A 127.0.0.3",
        ])
        defer { named.stop() }
        let (dns, _) = try resolver(named)
        let answer = try await dns.lookup(try DomainName("alias.internal."), type: .srv)
        #expect(answer.canonicalName == (try DomainName(Self.service)))
        #expect(answer.records.count == 1)
    }

    @Test("a CNAME loop, which BIND answers with SERVFAIL, ends as a server failure, not a hang")
    func cnameLoop() async throws {
        let named = try await NamedServer.start(records: [
            "loop-a 5 IN CNAME loop-b",
            "loop-b 5 IN CNAME loop-a",
        ])
        defer { named.stop() }
        let (dns, _) = try resolver(named)
        await #expect(throws: ResolverError.serverFailure(nameserver: try named.address.hostAndPort)) {
            _ = try await dns.lookup(try DomainName("loop-a.internal."), type: .srv)
        }
    }

    @Test("a single SRV record with target \".\" declares the service unavailable (RFC 2782)")
    func declaredUnavailable() async throws {
        let named = try await NamedServer.start(records: ["_off 5 IN SRV 0 0 0 ."])
        defer { named.stop() }
        let (dns, _) = try resolver(named)
        let answer = try await SRVResolver(resolver: dns, logger: Logger.quiet).resolveSRV("_off.internal.")
        #expect(answer.endpoints.isEmpty)
        #expect(answer.endpoints.isServiceDeclaredUnavailable)
    }
}
