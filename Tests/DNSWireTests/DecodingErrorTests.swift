import Testing

@testable import DNSWire

/// Each way a message can be malformed, with the exact error and offset the decoder reports.
@Suite("Decoding rejects malformed messages with the exact error")
struct DecodingErrorTests {
    /// A header with the given counts (ID 0x1234, flags 0x8100).
    static func header(qd: UInt16 = 0, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0) -> [UInt8] {
        [0x12, 0x34, 0x81, 0x00] + [qd, an, ns, ar].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// `a.example.` IN A as a question (15 octets).
    static let question: [UInt8] = [1, 97, 7] + Array("example".utf8) + [0, 0, 1, 0, 1]

    /// An A record owned by a pointer to the question name (offset 12), with `rdata`.
    static func aRecord(_ rdata: [UInt8], type: UInt16 = 1, owner: [UInt8] = [0xC0, 12]) -> [UInt8] {
        owner + [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1, 0, 0, 0, 60, 0, UInt8(rdata.count)] + rdata
    }

    /// An OPT record with payload 1232 and `rdata`.
    static func opt(owner: [UInt8] = [0], rdata: [UInt8] = []) -> [UInt8] {
        owner + [0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, UInt8(rdata.count)] + rdata
    }

    @Test("fewer than 12 octets is a truncated header")
    func shortHeader() {
        #expect(throws: DNSWireError.truncated(offset: 11, element: .header)) {
            try Message(decoding: [UInt8](repeating: 0, count: 11))
        }
        #expect(throws: DNSWireError.truncated(offset: 0, element: .header)) { try Message(decoding: [UInt8]()) }
    }

    @Test("counts promising more entries than present are a count mismatch, without reserving memory for them")
    func countsAboveContent() {
        #expect(throws: DNSWireError.countMismatch(section: .question, declared: 65535, present: 0, offset: 12)) {
            try Message(decoding: Self.header(qd: 65535, an: 65535, ns: 65535, ar: 65535))
        }
        #expect(throws: DNSWireError.countMismatch(section: .answer, declared: 2, present: 1, offset: 43)) {
            try Message(decoding: Self.header(qd: 1, an: 2) + Self.question + Self.aRecord([10, 0, 0, 1]))
        }
    }

    @Test("bytes after the last counted entry are rejected")
    func trailingBytes() {
        #expect(throws: DNSWireError.trailingBytes(offset: 27, count: 2)) {
            try Message(decoding: Self.header(qd: 1) + Self.question + [0, 0])
        }
    }

    @Test("a question cut inside its type and class is truncated there")
    func truncatedQuestion() {
        #expect(throws: DNSWireError.truncated(offset: 23, element: .question)) {
            try Message(decoding: Self.header(qd: 1) + Self.question.dropLast(3))
        }
    }

    @Test("a pointer to itself is a bad pointer at its offset")
    func selfPointer() {
        #expect(throws: DNSWireError.badPointer(offset: 12, target: 12)) {
            try Message(decoding: Self.header(qd: 1) + [0xC0, 12, 0, 1, 0, 1])
        }
    }

    @Test("a forward pointer is rejected")
    func forwardPointer() {
        #expect(throws: DNSWireError.badPointer(offset: 12, target: 14)) {
            try Message(decoding: Self.header(qd: 1) + [0xC0, 14, 0, 0, 1, 0, 1])
        }
    }

    @Test("a pointer into the labels of the same name is rejected even though it points backwards")
    func pointerIntoOwnName() {
        // "foo" + pointer back to the "foo" label start: a loop foo.foo.foo...
        #expect(throws: DNSWireError.badPointer(offset: 16, target: 12)) {
            try Message(decoding: Self.header(qd: 1) + [3, 102, 111, 111, 0xC0, 12, 0, 1, 0, 1])
        }
    }

    @Test("label types 0b01 and 0b10 are rejected with the octet")
    func reservedLabelTypes() {
        #expect(throws: DNSWireError.badLabelType(offset: 12, byte: 0x40)) {
            try Message(decoding: Self.header(qd: 1) + [0x40, 0, 0, 1, 0, 1])
        }
        #expect(throws: DNSWireError.badLabelType(offset: 14, byte: 0x81)) {
            try Message(decoding: Self.header(qd: 1) + [1, 97, 0x81, 0, 0, 1, 0, 1])
        }
    }

    @Test("a name over 255 octets is rejected with where it starts")
    func nameTooLong() {
        let labels = [UInt8]((0..<5).flatMap { _ in [63] + [UInt8](repeating: 120, count: 63) })
        #expect(throws: DNSWireError.nameTooLong(offset: 12, length: 257)) {
            try Message(decoding: Self.header(qd: 1) + labels + [0, 0, 1, 0, 1])
        }
    }

    @Test("RDLENGTH beyond the message is an overrun at the RDLENGTH field")
    func rdlengthOverrun() {
        let record: [UInt8] = [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 16, 10, 0, 0, 1]
        #expect(throws: DNSWireError.rdlengthOverrun(offset: 37, rdlength: 16, available: 4)) {
            try Message(decoding: Self.header(qd: 1, an: 1) + Self.question + record)
        }
    }

    @Test("an A record with 3 octets of data is bad record data")
    func shortARecord() {
        #expect(throws: DNSWireError.badRecordData(offset: 39, type: .a, rdlength: 3)) {
            try Message(decoding: Self.header(qd: 1, an: 1) + Self.question + Self.aRecord([10, 0, 0]))
        }
    }

    @Test("an A record with 5 octets of data is bad record data")
    func longARecord() {
        #expect(throws: DNSWireError.badRecordData(offset: 39, type: .a, rdlength: 5)) {
            try Message(decoding: Self.header(qd: 1, an: 1) + Self.question + Self.aRecord([10, 0, 0, 1, 9]))
        }
    }

    @Test("an SRV record shorter than its fixed fields is bad record data")
    func shortSRV() {
        #expect(throws: DNSWireError.badRecordData(offset: 39, type: .srv, rdlength: 5)) {
            try Message(decoding: Self.header(qd: 1, an: 1) + Self.question + Self.aRecord([0, 1, 0, 1, 0], type: 33))
        }
    }

    @Test("a name in RDATA that runs past RDLENGTH is bad record data")
    func nameCrossingRDLength() {
        // CNAME data "\u{1}b" + root, but RDLENGTH says 2: the root octet lies outside.
        var record = Self.aRecord([1, 98], type: 5)
        record.append(0)
        #expect(throws: DNSWireError.badRecordData(offset: 39, type: .cname, rdlength: 2)) {
            try Message(decoding: Self.header(qd: 1, an: 1) + Self.question + record)
        }
    }

    @Test("a second OPT record is rejected at its start")
    func secondOPT() {
        #expect(throws: DNSWireError.duplicateOPT(offset: 38)) {
            try Message(decoding: Self.header(qd: 1, ar: 2) + Self.question + Self.opt() + Self.opt())
        }
    }

    @Test("an OPT record in the answer section is rejected")
    func optInAnswer() {
        #expect(throws: DNSWireError.optOutsideAdditional(offset: 27, section: .answer)) {
            try Message(decoding: Self.header(qd: 1, an: 1) + Self.question + Self.opt())
        }
    }

    @Test("an OPT record not owned by the root is rejected")
    func optOwner() {
        #expect(throws: DNSWireError.optOwnerNotRoot(offset: 27)) {
            try Message(decoding: Self.header(qd: 1, ar: 1) + Self.question + Self.opt(owner: [0xC0, 12]))
        }
    }

    @Test("an EDNS option longer than the OPT data is rejected with its code")
    func optionOverrun() {
        #expect(throws: DNSWireError.badEDNSOption(offset: 38, code: 10)) {
            try Message(decoding: Self.header(qd: 1, ar: 1) + Self.question + Self.opt(rdata: [0, 10, 0, 8, 1, 2]))
        }
    }

    @Test("a cookie option of 9 octets is rejected (RFC 7873 §5.2.2)")
    func badCookie() {
        #expect(throws: DNSWireError.badEDNSOption(offset: 38, code: 10)) {
            try Message(decoding: Self.header(qd: 1, ar: 1) + Self.question
                + Self.opt(rdata: [0, 10, 0, 9] + [UInt8](repeating: 7, count: 9)))
        }
    }

    @Test("a client subnet whose address is longer than its prefix is rejected (RFC 7871 §6)")
    func badClientSubnet() {
        // family 1, source /8, scope 0, but 2 address octets.
        #expect(throws: DNSWireError.badEDNSOption(offset: 38, code: 8)) {
            try Message(decoding: Self.header(qd: 1, ar: 1) + Self.question + Self.opt(rdata: [0, 8, 0, 6, 0, 1, 8, 0, 10, 0]))
        }
    }

    @Test("input longer than 65535 octets is rejected before reading it")
    func tooLong() {
        #expect(throws: DNSWireError.messageTooLong(length: 70000)) {
            try Message(decoding: [UInt8](repeating: 0, count: 70000))
        }
    }

    @Test("a TC answer cut inside a record is rejected, yet its header still shows TC")
    func messyTruncation() throws {
        var bytes = Self.header(qd: 1, an: 1) + Self.question + Self.aRecord([10, 0, 0, 1])
        bytes[2] |= 0x02  // TC
        bytes.removeLast(2)
        #expect(throws: DNSWireError.rdlengthOverrun(offset: 37, rdlength: 4, available: 2)) { try Message(decoding: bytes) }
        let header = try Header(decoding: bytes)
        #expect(header.truncated && header.id == 0x1234 && header.isResponse)
    }
}
