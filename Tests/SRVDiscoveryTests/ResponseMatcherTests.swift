import DNSWire
import NIOCore
import Testing

@testable import SRVDiscovery

@Suite("Which bytes count as the answer (RFC 5452 §9.1)")
struct ResponseMatcherTests {
    private let server = try! SocketAddress(ipAddress: "127.0.0.1", port: 5353)
    private let question = Question(name: try! DomainName("_svc._tcp.internal."), type: .srv)
    private var matcher: ResponseMatcher { ResponseMatcher(id: 0x1234, question: question, nameserver: server) }

    private func response(
        id: UInt16 = 0x1234, isResponse: Bool = true, opcode: Opcode = .query, truncated: Bool = false,
        questions: [Question]? = nil
    ) throws -> [UInt8] {
        let header = Header(id: id, isResponse: isResponse, opcode: opcode, truncated: truncated)
        return try Message(header: header, questions: questions ?? [question], answers: [], authorities: [], additionals: [], edns: nil).encode()
    }

    private func verdict(_ bytes: [UInt8], from source: SocketAddress? = nil) -> String {
        switch matcher.check(bytes, from: source ?? server) {
        case .accept: return "accept"
        case .truncatedUndecodable: return "truncatedUndecodable"
        case .wrongSource: return "wrongSource"
        case .mismatched(let reason): return "mismatched: \(reason)"
        case .malformed: return "malformed"
        }
    }

    @Test("the exact answer is accepted")
    func accepts() throws {
        #expect(verdict(try response()) == "accept")
    }

    @Test("the same answer from another port or address is a wrong source")
    func wrongSource() throws {
        #expect(verdict(try response(), from: try SocketAddress(ipAddress: "127.0.0.1", port: 5354)) == "wrongSource")
        #expect(verdict(try response(), from: try SocketAddress(ipAddress: "127.0.0.2", port: 5353)) == "wrongSource")
    }

    @Test("a different ID is mismatched and says which")
    func wrongID() throws {
        #expect(verdict(try response(id: 0x1235)) == "mismatched: ID 4661 instead of 4660")
    }

    @Test("QR clear is mismatched")
    func notResponse() throws {
        #expect(verdict(try response(isResponse: false)) == "mismatched: QR bit clear (a query, not a response)")
    }

    @Test("another opcode is mismatched")
    func opcode() throws {
        #expect(verdict(try response(opcode: .notify)).hasPrefix("mismatched: opcode"))
    }

    @Test("no question, two questions, another name, type or class are each mismatched")
    func questions() throws {
        #expect(verdict(try response(questions: [])) == "mismatched: 0 questions instead of 1")
        #expect(verdict(try response(questions: [question, question])) == "mismatched: 2 questions instead of 1")
        #expect(verdict(try response(questions: [Question(name: try DomainName("_other._tcp.internal."), type: .srv)])).hasPrefix("mismatched: question name"))
        #expect(verdict(try response(questions: [Question(name: question.name, type: .a)])).hasPrefix("mismatched: question A/IN"))
        #expect(verdict(try response(questions: [Question(name: question.name, type: .srv, recordClass: .chaos)])).hasPrefix("mismatched: question SRV/CH"))
    }

    @Test("the question name in mixed case is accepted (RFC 4343)")
    func mixedCase() throws {
        #expect(verdict(try response(questions: [Question(name: try DomainName("_SVC._Tcp.INTERNAL."), type: .srv)])) == "accept")
    }

    @Test("bytes that do not decode are malformed, a header alone too")
    func malformed() throws {
        #expect(verdict([1, 2, 3]) == "malformed")
        #expect(verdict(Array(try response().prefix(12))) == "malformed")
    }

    @Test("a TC answer cut inside its records, with matching ID and QR, asks for TCP")
    func truncatedCut() throws {
        var bytes = try response(truncated: true)
        bytes[7] = 3  // ANCOUNT 3 with no records present
        #expect(verdict(bytes) == "truncatedUndecodable")
        bytes[0] ^= 0xFF  // ... but not with another ID
        #expect(verdict(bytes) == "malformed")
    }
}
