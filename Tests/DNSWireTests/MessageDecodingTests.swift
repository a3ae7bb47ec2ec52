import Testing

@testable import DNSWire

@Suite("Message decoding")
struct MessageDecodingTests {
    /// dnspython-generated SRV answer with A/AAAA glue (messages.jsonl gen-srv-3-answers-additional).
    static let srvAnswer = hexBytes(
        "123481800001000300000003055f68747470045f74637003737663076578616d706c650000210001c00c002100010000001e0018000a003c1f90047765623103737663076578616d706c6500c00c002100010000001e0018000a00281f91047765623203737663076578616d706c6500c00c002100010000001e001c001400001f92066261636b7570056f74686572076578616d706c65000477656231c017000100010000001e00047f00000b0477656232c017001c00010000001e00100000000000000000000000000000000100002904d0000000000000"
    )!

    @Test("an SRV answer decodes into typed SRV, A and AAAA records with EDNS apart")
    func srvAnswerDecodes() throws {
        let message = try Message(decoding: Self.srvAnswer)
        #expect(message.header.id == 0x1234)
        #expect(message.header.isResponse)
        #expect(message.questions == [Question(name: name("_http._tcp.svc.example"), type: .srv)])
        #expect(message.answers.map(\.data) == [
            .srv(SRV(priority: 10, weight: 60, port: 8080, target: name("web1.svc.example."))),
            .srv(SRV(priority: 10, weight: 40, port: 8081, target: name("web2.svc.example."))),
            .srv(SRV(priority: 20, weight: 0, port: 8082, target: name("backup.other.example."))),
        ])
        #expect(message.additionals == [
            ResourceRecord(name: name("web1.svc.example"), ttl: 30, data: .a(IPv4Address(127, 0, 0, 11))),
            ResourceRecord(name: name("web2.svc.example"), ttl: 30, data: .aaaa(IPv6Address("::1")!)),
        ])
        #expect(message.edns == EDNS(udpPayloadSize: 1232))
    }

    @Test("an SRV answer round-trips through the encoder")
    func srvAnswerRoundTrips() throws {
        try expectRoundTrip(Self.srvAnswer)
    }

    @Test("any collection of bytes decodes, e.g. a slice of a larger buffer")
    func decodesSlices() throws {
        let framed = [0, UInt8(Self.srvAnswer.count >> 8), UInt8(Self.srvAnswer.count & 0xFF)] + Self.srvAnswer
        #expect(try Message(decoding: framed[3...]) == Message(decoding: Self.srvAnswer))
    }

    @Test("Header(decoding:) reads ID and flags from the first 12 octets only")
    func headerOnly() throws {
        let header = try Header(decoding: Self.srvAnswer.prefix(12))
        #expect(header.id == 0x1234 && header.isResponse && header.recursionDesired && header.recursionAvailable)
        #expect(!header.truncated && header.rcode == .noError)
        #expect(throws: DNSWireError.truncated(offset: 5, element: .header)) { try Header(decoding: Self.srvAnswer.prefix(5)) }
    }

    @Test("every header flag and the opcode decode to their own fields")
    func headerFlags() throws {
        var bytes = [UInt8](repeating: 0, count: 12)
        bytes[2] = 0b1_0101_1_1_1  // QR, opcode 5 (UPDATE), AA, TC, RD
        bytes[3] = 0b1_1_1_1_0011  // RA, Z, AD, CD, rcode 3
        let header = try Message(decoding: bytes).header
        #expect(header == Header(
            id: 0, isResponse: true, opcode: .update, authoritativeAnswer: true, truncated: true, recursionDesired: true,
            recursionAvailable: true, reservedBit: true, authenticData: true, checkingDisabled: true, rcode: .nameError))
        #expect(try Message(header: header).encode() == bytes)
    }

    @Test("records(in:) returns each section's records")
    func recordsInSection() throws {
        let message = try Message(decoding: Self.srvAnswer)
        #expect(message.records(in: .answer) == message.answers)
        #expect(message.records(in: .additional) == message.additionals)
        #expect(message.records(in: .authority).isEmpty && message.records(in: .question).isEmpty)
    }
}
