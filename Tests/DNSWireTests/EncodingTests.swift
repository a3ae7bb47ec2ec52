import Testing

@testable import DNSWire

@Suite("Message encoding")
struct EncodingTests {
    static func srvAnswer(tasks: Int, additional: Bool = true) -> Message {
        let service = name("_hello-world-service.internal")
        var message = Message(
            header: Header(id: 7, isResponse: true, authoritativeAnswer: true),
            questions: [Question(name: service, type: .srv)],
            edns: EDNS(udpPayloadSize: 1232))
        for index in 0..<tasks {
            let target = name("task-\(index).hello-world-service.internal")
            message.answers.append(ResourceRecord(
                name: service, ttl: 10, data: .srv(SRV(priority: 1, weight: 1, port: UInt16(8000 + index), target: target))))
            if additional {
                message.additionals.append(ResourceRecord(
                    name: target, ttl: 10, data: .a(IPv4Address(10, 0, UInt8(index / 256), UInt8(index % 256)))))
            }
        }
        return message
    }

    @Test("a query has RD, one question and an EDNS(0) OPT for 1232 octets")
    func queryBytes() throws {
        let query = Message.query(id: 0x1A2B, name: name("_hello-world-service.internal"), type: .srv)
        let expected: [UInt8] = [0x1A, 0x2B, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]
            + [20] + Array("_hello-world-service".utf8) + [8] + Array("internal".utf8) + [0, 0, 33, 0, 1]
            + [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]
        #expect(try query.encode() == expected)
    }

    @Test("a query without EDNS has no additional record")
    func queryWithoutEDNS() throws {
        let bytes = try Message.query(id: 1, name: name("a.example"), type: .a, recursionDesired: false, edns: nil).encode()
        #expect(bytes[2] == 0 && bytes[11] == 0 && bytes.count == 12 + 11 + 4)
    }

    @Test("owner names equal to the question name become a pointer to offset 12")
    func ownerCompression() throws {
        let bytes = try Self.srvAnswer(tasks: 1, additional: false).encode()
        let firstRecord = 12 + 31 + 4
        #expect(Array(bytes[firstRecord..<firstRecord + 2]) == [0xC0, 12])
    }

    @Test("SRV targets are written whole and the A records of the targets point into them")
    func srvTargetsUncompressedButReferenced() throws {
        let message = Self.srvAnswer(tasks: 1)
        let bytes = try message.encode()
        let target = name("task-0.hello-world-service.internal").wireBytes
        let targetOffset = try #require(bytes.indices.first { Array(bytes[$0..<min($0 + target.count, bytes.count)]) == target })
        let aOwner = targetOffset + target.count
        #expect(Array(bytes[aOwner..<aOwner + 2]) == [0xC0, UInt8(targetOffset)])
        #expect(try Message(decoding: bytes) == message)
    }

    @Test("compression matches suffixes ignoring case, and the message stays equal")
    func caseInsensitiveCompression() throws {
        let message = Message(
            header: Header(id: 1),
            questions: [Question(name: name("www.example.com"), type: .a)],
            answers: [ResourceRecord(name: name("WWW.EXAMPLE.COM"), ttl: 1, data: .cname(name("Mail.Example.com")))])
        let bytes = try message.encode()
        #expect(Array(bytes[33..<35]) == [0xC0, 12])
        #expect(bytes.count == 12 + 21 + 2 + 10 + 7)  // "mail" + pointer to "example.com"
        #expect(try Message(decoding: bytes) == message)
    }

    @Test("records that do not fit maxSize are dropped from the end, TC is set, OPT is kept")
    func truncatesAnswers() throws {
        let message = Self.srvAnswer(tasks: 60)
        let bytes = try message.encode(maxSize: 512)
        #expect(bytes.count <= 512)
        let decoded = try Message(decoding: bytes)
        #expect(decoded.header.truncated)
        #expect(!decoded.answers.isEmpty && decoded.answers.count < 60)
        #expect(decoded.answers == Array(message.answers.prefix(decoded.answers.count)))
        #expect(decoded.additionals.isEmpty)
        #expect(decoded.edns == message.edns)
    }

    @Test("dropping only additional records does not set TC (RFC 2181 §9)")
    func dropsAdditionalWithoutTC() throws {
        let message = Self.srvAnswer(tasks: 3)
        let full = try message.encode()
        let bytes = try message.encode(maxSize: full.count - 1)
        let decoded = try Message(decoding: bytes)
        #expect(!decoded.header.truncated)
        #expect(decoded.answers == message.answers)
        #expect(decoded.additionals == Array(message.additionals.prefix(2)))
    }

    @Test("a message that fits maxSize is unchanged")
    func fitsUnchanged() throws {
        let message = Self.srvAnswer(tasks: 3)
        #expect(try message.encode(maxSize: 1232) == message.encode())
    }

    @Test("header and question larger than maxSize cannot be encoded")
    func doesNotFit() {
        #expect(throws: DNSWireError.doesNotFit(length: 12 + 31 + 4 + 11, maxSize: 40)) {
            try Self.srvAnswer(tasks: 3).encode(maxSize: 40)
        }
    }

    @Test("without maxSize, a message over 65535 octets is an error rather than truncated")
    func tooLongWithoutMaxSize() throws {
        let string = [UInt8](repeating: 120, count: 255)
        let records = (0..<300).map { _ in ResourceRecord(name: .root, ttl: 0, data: .txt([string])) }
        let error = #expect(throws: DNSWireError.self) {
            try Message(header: Header(id: 1), answers: records).encode()
        }
        guard case .encodedMessageTooLong(let length) = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(length > 65535)
    }

    @Test("an extended rcode is split between header and OPT and combined again on decode")
    func extendedRCode() throws {
        let message = Message(header: Header(id: 1, isResponse: true, rcode: .badVersion), edns: EDNS())
        let bytes = try message.encode()
        #expect(bytes[3] & 0x0F == 0)  // BADVERS is 16: low four bits 0
        #expect(bytes[12 + 5] == 1)  // OPT TTL high octet: 16 >> 4
        #expect(try Message(decoding: bytes).header.rcode == .badVersion)
    }

    @Test("an extended rcode without EDNS cannot be encoded")
    func extendedRCodeNeedsEDNS() {
        #expect(throws: DNSWireError.extendedRCodeWithoutEDNS(rcode: .badCookie)) {
            try Message(header: Header(id: 1, rcode: .badCookie)).encode()
        }
    }

    @Test("a TXT character-string over 255 octets cannot be encoded")
    func longCharacterString() {
        let record = ResourceRecord(name: .root, ttl: 0, data: .txt([[UInt8](repeating: 1, count: 256)]))
        #expect(throws: DNSWireError.characterStringTooLong(length: 256)) {
            try Message(header: Header(id: 1), answers: [record]).encode()
        }
    }

    @Test("record data of an unknown type is re-encoded byte for byte (RFC 3597)")
    func unknownTypeRoundTrip() throws {
        let caa = ResourceRecord(name: name("example"), ttl: 5, data: .unknown(type: RecordType(rawValue: 257), data: [0, 5, 105, 115, 115, 117, 101, 0xC0, 12]))
        let message = Message(header: Header(id: 1), answers: [caa])
        let bytes = try message.encode()
        #expect(Array(bytes.suffix(9)) == [0, 5, 105, 115, 115, 117, 101, 0xC0, 12])
        #expect(try Message(decoding: bytes) == message)
    }

    @Test("A, AAAA and SRV outside class IN are kept raw, other types are typed in any class")
    func classDependentTypes() throws {
        let records = [
            ResourceRecord(name: name("a"), recordClass: .chaos, ttl: 0, data: .unknown(type: .a, data: [1, 97, 0, 0, 1])),
            ResourceRecord(name: name("b"), recordClass: .chaos, ttl: 0, data: .txt([Array("x".utf8)])),
            ResourceRecord(name: name("c"), recordClass: .any, ttl: 0, data: .unknown(type: .a, data: [])),
        ]
        let message = Message(header: Header(id: 1, opcode: .update), answers: records)
        #expect(try Message(decoding: try message.encode()) == message)
    }
}
