extension Message {
    /// Decodes a complete message, sharing `bytes` with the decoded names (no per-name copies).
    ///
    /// Strict where leniency would let two parsers disagree on what a message says: every read
    /// is bounds-checked; compression pointers must point strictly backwards (before the labels
    /// that contain them) and at most 127 per name; names are at most 255 octets; each section
    /// must hold exactly its header count of entries and no bytes may follow the last one;
    /// RDATA must have exactly the layout of its type; at most one OPT record, only in the
    /// additional section, owned by the root (RFC 6891 §6.1.1). A message with the TC bit whose
    /// last record is cut short is rejected like any other; read `Header(decoding:)` to see TC.
    ///
    /// Memory use is bounded by the input: no array is sized from a count field before the
    /// bytes for its entries have been seen to exist.
    public init(decoding bytes: [UInt8]) throws(DNSWireError) {
        guard bytes.count <= 0xFFFF else { throw .messageTooLong(length: bytes.count) }
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(DNSWireError) -> Message in
                var reader = WireReader(storage: bytes, bytes: buffer)
                return try Message.decode(from: &reader)
            }
        }
        self = try result.get()
    }

    /// Decodes a complete message from any collection of bytes (e.g. NIO's
    /// `ByteBuffer.readableBytesView`); the bytes are copied once into an array.
    public init(decoding bytes: some Collection<UInt8>) throws(DNSWireError) {
        try self.init(decoding: Array(bytes))
    }

    private static func decode(from reader: inout WireReader) throws(DNSWireError) -> Message {
        guard reader.remaining >= 12 else { throw .truncated(offset: reader.remaining, element: .header) }
        let id = try reader.readUInt16(.header)
        let flags = try reader.readUInt16(.header)
        let questionCount = Int(try reader.readUInt16(.header))
        let answerCount = Int(try reader.readUInt16(.header))
        let authorityCount = Int(try reader.readUInt16(.header))
        let additionalCount = Int(try reader.readUInt16(.header))

        var message = Message(header: Header(id: id, flags: flags))
        // A question takes at least 5 octets: reserve no more than the bytes can hold.
        message.questions.reserveCapacity(min(questionCount, reader.remaining / 5))
        for index in 0..<questionCount {
            guard reader.remaining > 0 else {
                throw .countMismatch(section: .question, declared: questionCount, present: index, offset: reader.position)
            }
            let name = try reader.readName()
            let type = RecordType(rawValue: try reader.readUInt16(.question))
            let recordClass = RecordClass(rawValue: try reader.readUInt16(.question))
            message.questions.append(Question(name: name, type: type, recordClass: recordClass))
        }

        var extendedRCode: UInt8 = 0
        message.answers = try decodeRecords(.answer, count: answerCount, from: &reader, into: &message, extendedRCode: &extendedRCode)
        message.authorities = try decodeRecords(.authority, count: authorityCount, from: &reader, into: &message, extendedRCode: &extendedRCode)
        message.additionals = try decodeRecords(.additional, count: additionalCount, from: &reader, into: &message, extendedRCode: &extendedRCode)

        guard reader.remaining == 0 else { throw .trailingBytes(offset: reader.position, count: reader.remaining) }
        // RFC 6891 §6.1.3: the OPT TTL holds the upper 8 bits of the 12-bit RCODE.
        message.header.rcode = ResponseCode(rawValue: UInt16(extendedRCode) << 4 | message.header.rcode.rawValue & 0xF)
        return message
    }

    /// Decodes `count` records of `section`; an OPT record goes to `message.edns`.
    private static func decodeRecords(
        _ section: Section, count: Int, from reader: inout WireReader, into message: inout Message,
        extendedRCode: inout UInt8
    ) throws(DNSWireError) -> [ResourceRecord] {
        var records: [ResourceRecord] = []
        // A record takes at least 11 octets (root owner, type, class, TTL, RDLENGTH).
        records.reserveCapacity(min(count, reader.remaining / 11))
        for index in 0..<count {
            guard reader.remaining > 0 else {
                throw .countMismatch(section: section, declared: count, present: index, offset: reader.position)
            }
            let recordStart = reader.position
            let name = try reader.readName()
            let type = RecordType(rawValue: try reader.readUInt16(.recordHeader))
            let classValue = try reader.readUInt16(.recordHeader)
            let ttl = try reader.readUInt32(.recordHeader)
            let rdlengthOffset = reader.position
            let rdlength = Int(try reader.readUInt16(.recordHeader))
            guard rdlength <= reader.remaining else {
                throw .rdlengthOverrun(offset: rdlengthOffset, rdlength: rdlength, available: reader.remaining)
            }
            if type == .opt {
                guard section == .additional else { throw .optOutsideAdditional(offset: recordStart, section: section) }
                guard message.edns == nil else { throw .duplicateOPT(offset: recordStart) }
                guard name.isRoot else { throw .optOwnerNotRoot(offset: recordStart) }
                let (edns, extended) = try EDNS.decode(payloadSize: classValue, ttl: ttl, rdlength: rdlength, from: &reader)
                message.edns = edns
                extendedRCode = extended
                continue
            }
            let recordClass = RecordClass(rawValue: classValue)
            let data = try RecordData.decode(type: type, recordClass: recordClass, rdlength: rdlength, from: &reader)
            records.append(ResourceRecord(name: name, recordClass: recordClass, ttl: ttl, data: data))
        }
        return records
    }
}
