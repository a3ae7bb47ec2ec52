import Testing

@testable import DNSWire

/// Answers captured from a real BIND `named` (see Fixtures/README.md and Fixtures/bind/).
@Suite("Answers captured from BIND named")
struct BINDFixtureTests {
    static let tasks = [
        ("task-3f2a9c1e.hello-world-service.internal.", IPv4Address(10, 0, 1, 17)),
        ("task-7b41d0aa.hello-world-service.internal.", IPv4Address(10, 0, 2, 33)),
        ("task-c95e2f03.hello-world-service.internal.", IPv4Address(10, 0, 3, 41)),
    ]

    @Test("the ECS-like SRV answer has 3 SRV records and their task A records in additional")
    func helloWorldAnswer() throws {
        let message = try Message(decoding: try Fixtures.bytes("bind-srv-hello-world-udp.bin"))
        #expect(message.header.id == 0x1A2B)
        #expect(message.header.isResponse && message.header.authoritativeAnswer && !message.header.truncated)
        #expect(message.header.rcode == .noError)
        #expect(message.questions == [Question(name: name("_hello-world-service.internal"), type: .srv)])
        let srvs = message.answers.compactMap { record -> SRV? in
            guard case .srv(let srv) = record.data, record.name == name("_hello-world-service.internal") else { return nil }
            return srv
        }
        #expect(srvs.count == 3)
        #expect(Set(srvs.map(\.target)) == Set(Self.tasks.map { name($0.0) }))
        #expect(srvs.allSatisfy { $0.priority == 1 && $0.weight == 1 && $0.port == 8080 })
        #expect(message.answers.allSatisfy { $0.ttl == 10 && $0.recordClass == .in })
        #expect(message.authorities == [ResourceRecord(name: name("internal"), ttl: 60, data: .ns(name("ns1.internal")))])
        for (task, address) in Self.tasks {
            #expect(message.additionals.contains(ResourceRecord(name: name(task), ttl: 10, data: .a(address))))
        }
        #expect(message.additionals.contains(ResourceRecord(name: name("ns1.internal"), ttl: 60, data: .a(IPv4Address(127, 0, 0, 1)))))
        #expect(message.additionals.count == 4)
        #expect(message.edns == EDNS(udpPayloadSize: 1232))
    }

    @Test("re-encoding BIND's SRV answers gives BIND's bytes exactly (same compression choices)")
    func reencodingIsByteExact() throws {
        for fixture in ["bind-srv-hello-world-udp.bin", "bind-srv-big-tcp.bin", "bind-nxdomain.bin", "bind-srv-big-udp-no-edns.bin"] {
            let bytes = try Fixtures.bytes(fixture)
            #expect(try Message(decoding: bytes).encode() == bytes, "\(fixture)")
        }
    }

    @Test("the 60-SRV answer over TCP decodes completely")
    func bigAnswerOverTCP() throws {
        let message = try Message(decoding: try Fixtures.bytes("bind-srv-big-tcp.bin"))
        #expect(!message.header.truncated)
        let ports = message.answers.compactMap { record -> UInt16? in
            if case .srv(let srv) = record.data { srv.port } else { nil }
        }
        #expect(ports.sorted() == Array(9001...9060))
    }

    @Test("a UDP answer that did not fit reports TC so the resolver retries over TCP")
    func truncatedUDPAnswersReportTC() throws {
        let withEDNS = try Message(decoding: try Fixtures.bytes("bind-srv-big-udp-1232.bin"))
        #expect(withEDNS.header.truncated)
        #expect(withEDNS.answers.isEmpty)
        #expect(withEDNS.edns?.udpPayloadSize == 1232)
        let withoutEDNS = try Message(decoding: try Fixtures.bytes("bind-srv-big-udp-no-edns.bin"))
        #expect(withoutEDNS.header.truncated)
        #expect(withoutEDNS.answers.count == 9)
        #expect(withoutEDNS.edns == nil)
    }

    @Test("NXDOMAIN carries the zone's SOA in authority")
    func nxdomainHasSOA() throws {
        let message = try Message(decoding: try Fixtures.bytes("bind-nxdomain.bin"))
        #expect(message.header.rcode == .nameError)
        #expect(message.answers.isEmpty)
        let soa = SOA(
            primaryNameServer: name("ns1.internal"), responsibleMailbox: name("hostmaster.internal"),
            serial: 2_026_112_501, refresh: 3600, retry: 600, expire: 86400, minimum: 60)
        #expect(message.authorities == [ResourceRecord(name: name("internal"), ttl: 60, data: .soa(soa))])
    }
}
