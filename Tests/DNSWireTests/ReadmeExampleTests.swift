import Testing

import DNSWire  // not @testable: the README example uses only the public API

/// The usage example of Sources/DNSWire/DNSWire.docc/GettingStarted.md (once README.md's
/// `## DNSWire` section), run against BIND's answer. Keep the two in step.
@Suite("README example")
struct ReadmeExampleTests {
    @Test("the README's query and SRV/glue lookup work on a real answer")
    func readmeExample() throws {
        let service = try DomainName("_hello-world-service.internal")
        let query = Message.query(id: .random(in: 0...UInt16.max), name: service, type: .srv)
        let datagram: [UInt8] = try query.encode()
        #expect(try Message(decoding: datagram).questions.first?.name == service)

        let reply = try Fixtures.bytes("bind-srv-hello-world-udp.bin")
        let answer = try Message(decoding: reply)
        #expect(!answer.header.truncated)
        let glue = Dictionary(answer.additionals.compactMap { record -> (DomainName, IPv4Address)? in
            if case .a(let address) = record.data { (record.name, address) } else { nil }
        }, uniquingKeysWith: { first, _ in first })
        var lines: [String] = []
        for record in answer.answers {
            if case .srv(let srv) = record.data {
                lines.append("\(srv.target) \(srv.port) \(glue[srv.target].map(String.init(describing:)) ?? "resolve it")")
            }
        }
        #expect(lines.sorted() == [
            "task-3f2a9c1e.hello-world-service.internal. 8080 10.0.1.17",
            "task-7b41d0aa.hello-world-service.internal. 8080 10.0.2.33",
            "task-c95e2f03.hello-world-service.internal. 8080 10.0.3.41",
        ])
    }
}
