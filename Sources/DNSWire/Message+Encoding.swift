extension Message {
    /// Encodes the message, compressing owner names, question names and the names inside
    /// CNAME, NS, PTR, SOA and MX data (RFC 1035 §4.1.4; RFC 3597 §4 forbids it for other types).
    ///
    /// With `maxSize` (e.g. the client's EDNS payload size for UDP), records that do not fit
    /// are dropped whole, from the end. The OPT record is always kept (RFC 6891 §7). TC is set
    /// when an answer or authority record was dropped; dropping only additional records does
    /// not set it (RFC 2181 §9: TC means required data is missing, and additional data is a
    /// courtesy the client can fetch itself).
    ///
    /// Throws `.doesNotFit` when header, questions and OPT alone exceed `maxSize`;
    /// `.encodedMessageTooLong` without `maxSize` when the message needs more than 65535
    /// octets; `.extendedRCodeWithoutEDNS` for an rcode above 15 without `edns`;
    /// `.characterStringTooLong` / `.recordDataTooLong` for data that has no wire form.
    public func encode(maxSize: Int? = nil) throws(DNSWireError) -> [UInt8] {
        if header.rcode.isExtended, edns == nil { throw .extendedRCodeWithoutEDNS(rcode: header.rcode) }
        let limit = min(maxSize ?? 0xFFFF, 0xFFFF)
        let optLength = edns?.encodedLength ?? 0
        var writer = WireWriter(capacity: min(limit, maximumEncodedLength))

        writer.write(header.id)
        writer.write(UInt16(0))  // flags, patched when TC is known
        writer.write(UInt16(0)); writer.write(UInt16(0)); writer.write(UInt16(0)); writer.write(UInt16(0))

        for question in questions {
            writer.write(question.name, compress: true)
            writer.write(question.type.rawValue)
            writer.write(question.recordClass.rawValue)
        }
        guard writer.count + optLength <= limit else {
            if maxSize == nil { throw .encodedMessageTooLong(length: writer.count + optLength) }
            throw .doesNotFit(length: writer.count + optLength, maxSize: limit)
        }

        var counts = (answers: 0, authorities: 0, additionals: 0)
        var truncated = header.truncated
        var full = false
        for (section, records) in [(Section.answer, answers), (.authority, authorities), (.additional, additionals)] {
            for record in records where !full {
                let mark = writer.mark
                try Message.encode(record, into: &writer)
                guard writer.count + optLength <= limit else {
                    if maxSize == nil { throw .encodedMessageTooLong(length: writer.count + optLength) }
                    writer.rollback(to: mark)
                    full = true
                    if section != .additional { truncated = true }
                    break
                }
                switch section {
                case .answer: counts.answers += 1
                case .authority: counts.authorities += 1
                default: counts.additionals += 1
                }
            }
        }
        if let edns {
            try edns.encode(rcode: header.rcode, into: &writer)
            counts.additionals += 1
        }

        var flags = header
        flags.truncated = truncated
        writer.patch(flags.flags, at: 2)
        writer.patch(UInt16(questions.count), at: 4)
        writer.patch(UInt16(counts.answers), at: 6)
        writer.patch(UInt16(counts.authorities), at: 8)
        writer.patch(UInt16(counts.additionals), at: 10)
        return writer.bytes
    }

    /// Writes one record: owner, type, class, TTL, RDLENGTH and RDATA.
    private static func encode(_ record: ResourceRecord, into writer: inout WireWriter) throws(DNSWireError) {
        writer.write(record.name, compress: true)
        writer.write(record.type.rawValue)
        writer.write(record.recordClass.rawValue)
        writer.write(record.ttl)
        let rdlengthAt = writer.count
        writer.write(UInt16(0))
        try record.data.encode(into: &writer)
        let rdlength = writer.count - rdlengthAt - 2
        guard rdlength <= 0xFFFF else { throw .recordDataTooLong(type: record.type, length: rdlength) }
        writer.patch(UInt16(rdlength), at: rdlengthAt)
    }

    /// Size without any compression: an upper bound used to reserve the output once.
    private var maximumEncodedLength: Int {
        var length = 12 + (edns?.encodedLength ?? 0)
        for question in questions { length += question.name.encodedLength + 4 }
        for records in [answers, authorities, additionals] {
            for record in records { length += record.name.encodedLength + 10 + record.data.maximumEncodedLength }
        }
        return length
    }
}
