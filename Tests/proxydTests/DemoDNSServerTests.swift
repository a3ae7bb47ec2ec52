import DNSWire
import Foundation
import NIOPosix
import Testing
@testable import proxyd

/// The demo's embedded DNS zone: Cloud Map's answers, checked with the pure answerer and with
/// `dig` (BIND's own client) against the running server.
@Suite("Demo DNS zone")
struct DemoDNSServerTests {
    private static func name(_ text: String) -> DomainName {
        // Test names are literals known to be valid.
        (try? DomainName(text)) ?? .root
    }

    /// `count` tasks as ECS publishes them: one SRV per task plus the task's A record.
    private static func tasks(_ count: Int, firstPort: Int = 32_768) -> [ResourceRecord] {
        let service = name("_hello-world-service.internal")
        var records: [ResourceRecord] = []
        for index in 0..<count {
            let task = name("task-\(index)._hello-world-service.internal")
            records.append(ResourceRecord(name: service, ttl: 10, data: .srv(SRV(priority: 1, weight: 1, port: UInt16(firstPort + index), target: task))))
            records.append(ResourceRecord(name: task, ttl: 10, data: .a(IPv4Address(127, 0, 0, 1))))
        }
        return records
    }

    /// dig's output lines with runs of spaces and tabs folded into one space.
    private static func lines(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
    }

    private let answerer = ZoneAnswerer(origin: name("internal"), records: tasks(3))

    @Test("an SRV query is answered with every task and their A records as glue")
    func srvWithGlue() throws {
        let response = try #require(answerer.answer(.query(id: 7, name: Self.name("_hello-world-service.internal"), type: .srv)))
        #expect(response.header.id == 7)
        #expect(response.header.isResponse && response.header.authoritativeAnswer)
        #expect(response.answers.count == 3)
        #expect(response.additionals.map(\.name) == (0..<3).map { Self.name("task-\($0)._hello-world-service.internal") })
    }

    @Test("unknown names get NXDOMAIN with the SOA; known names without the type get NODATA")
    func negativeAnswers() throws {
        let missing = try #require(answerer.answer(.query(id: 1, name: Self.name("_other.internal"), type: .srv)))
        #expect(missing.header.rcode == .nameError)
        #expect(missing.authorities.map(\.type) == [.soa])
        let noData = try #require(answerer.answer(.query(id: 2, name: Self.name("task-0._hello-world-service.internal"), type: .aaaa)))
        #expect(noData.header.rcode == .noError)
        #expect(noData.answers.isEmpty && noData.authorities.map(\.type) == [.soa])
    }

    @Test("names outside the zone are refused, responses are never answered")
    func refusedAndIgnored() throws {
        let outside = try #require(answerer.answer(.query(id: 3, name: Self.name("example.com"), type: .a)))
        #expect(outside.header.rcode == .refused)
        var response = Message.query(id: 4, name: Self.name("internal"), type: .soa)
        response.header.isResponse = true
        #expect(answerer.answer(response) == nil)
    }

    @Test("an undecodable query with a readable ID gets FORMERR; garbage gets nothing")
    func malformedQueries() throws {
        var bytes = try Message.query(id: 0xBEEF, name: Self.name("internal"), type: .soa, edns: nil).encode()
        bytes.removeLast(3)
        let reply = try #require(answerer.responseBytes(for: bytes, overUDP: true))
        let decoded = try Message(decoding: reply)
        #expect(decoded.header.id == 0xBEEF && decoded.header.rcode == .formatError)
        #expect(answerer.responseBytes(for: [1, 2, 3], overUDP: true) == nil)
    }

    @Test("dig resolves the service through the running server, and follows TC to TCP for 60 tasks")
    func digAgainstServer() async throws {
        let dig = try ExternalTool.locate("dig", package: "bind9-dnsutils")
        let server = DemoDNSServer(origin: Self.name("internal"), records: Self.tasks(3))
        let port = try await server.start(group: MultiThreadedEventLoopGroup.singleton)
        do {
            let small = try await ExternalTool.run(dig, ["@127.0.0.1", "-p", "\(port)", "+time=2", "+tries=1", "+noall", "+answer", "+additional", "SRV", "_hello-world-service.internal"])
            #expect(small.status == 0)
            let smallLines = Self.lines(small.out)
            #expect(smallLines.contains("_hello-world-service.internal. 10 IN SRV 1 1 32768 task-0._hello-world-service.internal."))
            #expect(smallLines.contains("task-2._hello-world-service.internal. 10 IN A 127.0.0.1"))

            server.setRecords(Self.tasks(60))
            let large = try await ExternalTool.run(dig, ["@127.0.0.1", "-p", "\(port)", "+time=2", "+tries=1", "+noall", "+answer", "+comments", "SRV", "_hello-world-service.internal"])
            #expect(large.status == 0)
            #expect(large.out.contains("Truncated, retrying in TCP mode."))
            #expect(Self.lines(large.out).filter { $0.contains(" IN SRV ") }.count == 60)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
