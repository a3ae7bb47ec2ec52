import DNSWire
import Testing

@testable import SRVDiscovery

@Suite("Reading a matching response: RCODEs, CNAME chains, negative TTLs")
struct AnswerInterpreterTests {
    private let name = try! DomainName("svc.internal.")
    private var question: Question { Question(name: name, type: .a) }
    private var interpreter: AnswerInterpreter { AnswerInterpreter(original: question, hopLimit: 3) }

    private func n(_ text: String) -> DomainName { try! DomainName(text) }

    private func message(rcode: ResponseCode = .noError, answers: [ResourceRecord] = [], authorities: [ResourceRecord] = []) -> Message {
        var header = Header(id: 1, isResponse: true)
        header.rcode = rcode
        return Message(header: header, questions: [question], answers: answers, authorities: authorities, additionals: [], edns: nil)
    }

    private func interpret(_ message: Message) -> AnswerInterpreter.Outcome {
        interpreter.interpret(message, asked: question, visited: [name], chainTTL: nil, nameserver: "ns")
    }

    private let soa = ResourceRecord(name: try! DomainName("internal."), ttl: 30, data: .soa(SOA(
        primaryNameServer: try! DomainName("ns.internal."), responsibleMailbox: try! DomainName("h.internal."),
        serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 7)))

    @Test("records of the asked type are the answer, with the smallest TTL")
    func plainAnswer() {
        let outcome = interpret(message(answers: [
            ResourceRecord(name: name, ttl: 9, data: .a(IPv4Address(10, 0, 0, 1))),
            ResourceRecord(name: n("SVC.internal."), ttl: 4, data: .a(IPv4Address(10, 0, 0, 2))),
        ]))
        guard case .answer(let answer) = outcome else { Issue.record("\(outcome)"); return }
        #expect(answer.records.count == 2)
        #expect(answer.ttl == 4)
        #expect(answer.recordsDropped == 0)
    }

    @Test("a CNAME chain inside one answer is followed and its TTLs count")
    func chainInAnswer() {
        let outcome = interpret(message(answers: [
            ResourceRecord(name: name, ttl: 3, data: .cname(n("mid.internal."))),
            ResourceRecord(name: n("mid.internal."), ttl: 60, data: .cname(n("end.internal."))),
            ResourceRecord(name: n("end.internal."), ttl: 60, data: .a(IPv4Address(10, 0, 0, 1))),
        ]))
        guard case .answer(let answer) = outcome else { Issue.record("\(outcome)"); return }
        #expect(answer.canonicalName == n("end.internal."))
        #expect(answer.ttl == 3)
    }

    @Test("a chain that stops without data asks to follow the target")
    func chainToFollow() {
        let outcome = interpret(message(answers: [ResourceRecord(name: name, ttl: 5, data: .cname(n("elsewhere.example.")))]))
        #expect(outcome == .followCNAME(target: n("elsewhere.example."), chainTTL: 5, visited: [name, n("elsewhere.example.")], recordsDropped: 0))
    }

    @Test("a chain longer than the hop limit is an error")
    func chainTooLong() {
        let links = (0..<5).map { ResourceRecord(name: $0 == 0 ? name : n("c\($0).internal."), ttl: 5, data: .cname(n("c\($0 + 1).internal."))) }
        #expect(interpret(message(answers: links)) == .failure(.cnameChainTooLong(name: "svc.internal.", limit: 3)))
    }

    @Test("NXDOMAIN carries min(SOA TTL, SOA MINIMUM) as negative TTL (RFC 2308 §5)")
    func nxdomain() {
        #expect(interpret(message(rcode: .nameError, authorities: [soa])) == .failure(.nameError(name: "svc.internal.", negativeTTL: 7)))
    }

    @Test("NXDOMAIN after a CNAME names the end of the chain")
    func nxdomainAfterChain() {
        let outcome = interpret(message(rcode: .nameError, answers: [ResourceRecord(name: name, ttl: 5, data: .cname(n("gone.internal.")))]))
        #expect(outcome == .failure(.nameError(name: "gone.internal.", negativeTTL: nil)))
    }

    @Test("NOERROR without records is NODATA")
    func nodata() {
        #expect(interpret(message(authorities: [soa])) == .failure(.noData(name: "svc.internal.", type: "A", negativeTTL: 7)))
    }

    @Test("SERVFAIL, REFUSED and other RCODEs are distinct failures")
    func rcodes() {
        #expect(interpret(message(rcode: .serverFailure)) == .failure(.serverFailure(nameserver: "ns")))
        #expect(interpret(message(rcode: .refused)) == .failure(.refused(nameserver: "ns")))
        #expect(interpret(message(rcode: .notImplemented)) == .failure(.unexpectedResponseCode(code: 4, nameserver: "ns")))
    }

    @Test("records of other owners, types or classes are dropped and counted")
    func dropped() {
        let outcome = interpret(message(answers: [
            ResourceRecord(name: name, ttl: 5, data: .a(IPv4Address(10, 0, 0, 1))),
            ResourceRecord(name: n("other.internal."), ttl: 5, data: .a(IPv4Address(10, 0, 0, 2))),
            ResourceRecord(name: name, ttl: 5, data: .aaaa(IPv6Address(high: 0, low: 1))),
        ]))
        guard case .answer(let answer) = outcome else { Issue.record("\(outcome)"); return }
        #expect(answer.records.count == 1)
        #expect(answer.recordsDropped == 2)
    }
}
