/// The typed data (RDATA) of a resource record; its case also fixes the record's TYPE.
///
/// Types this library does not model, and A/AAAA/SRV records outside class IN (whose layout
/// RFC 1035 §3.4 defines per class), are kept as `.unknown` with the exact RDATA octets, which
/// are re-encoded byte for byte (RFC 3597 §5). Records of the meta classes ANY and NONE, which
/// dynamic updates send with empty or unusual RDATA (RFC 2136 §2.5), are kept the same way.
public enum RecordData: Hashable, Sendable {
    /// An IPv4 address (type A, RFC 1035 §3.4.1).
    case a(IPv4Address)
    /// An IPv6 address (type AAAA, RFC 3596).
    case aaaa(IPv6Address)
    /// The canonical name of an alias (RFC 1035 §3.3.1).
    case cname(DomainName)
    /// An authoritative name server (RFC 1035 §3.3.11).
    case ns(DomainName)
    /// A domain name pointer, as used for reverse lookups (RFC 1035 §3.3.12).
    case ptr(DomainName)
    /// The start of a zone of authority (RFC 1035 §3.3.13).
    case soa(SOA)
    /// A mail exchange (RFC 1035 §3.3.9).
    case mx(MX)
    /// One or more character-strings of up to 255 octets each (RFC 1035 §3.3.14), kept as
    /// octets because they need not be text.
    case txt([[UInt8]])
    /// A service location (RFC 2782).
    case srv(SRV)
    /// Any other type, with its RDATA as received (RFC 3597).
    case unknown(type: RecordType, data: [UInt8])

    /// The record TYPE this data belongs to.
    public var type: RecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .ns: .ns
        case .ptr: .ptr
        case .soa: .soa
        case .mx: .mx
        case .txt: .txt
        case .srv: .srv
        case .unknown(let type, _): type
        }
    }
}

extension RecordData {
    /// Decodes `rdlength` octets of RDATA at the reader's position, which is left just past them.
    ///
    /// Every way the data can disagree with its type (too short for the fixed fields, a name
    /// running past RDLENGTH, octets left over) is reported as `.badRecordData` at the start of
    /// the RDATA; pointer and label errors inside names keep their own, more precise case.
    static func decode(
        type: RecordType, recordClass: RecordClass, rdlength: Int, from reader: inout WireReader
    ) throws(DNSWireError) -> RecordData {
        let start = reader.position
        let end = start + rdlength
        let messageLimit = reader.limit
        reader.limit = end
        defer { reader.limit = messageLimit }
        let data: RecordData
        do {
            let isMetaClass = recordClass == .any || recordClass == .none
            switch type {
            case _ where isMetaClass: data = .unknown(type: type, data: try reader.readBytes(rdlength, .recordData))
            case .a where recordClass == .in: data = .a(try IPv4Address.decode(from: &reader))
            case .aaaa where recordClass == .in: data = .aaaa(try IPv6Address.decode(from: &reader))
            case .srv where recordClass == .in: data = .srv(try SRV.decode(from: &reader))
            case .cname: data = .cname(try reader.readName())
            case .ns: data = .ns(try reader.readName())
            case .ptr: data = .ptr(try reader.readName())
            case .soa: data = .soa(try SOA.decode(from: &reader))
            case .mx: data = .mx(try MX.decode(from: &reader))
            case .txt:
                var strings: [[UInt8]] = []
                while reader.position < end {
                    let length = Int(try reader.readUInt8(.recordData))
                    strings.append(try reader.readBytes(length, .recordData))
                }
                data = .txt(strings)
            default: data = .unknown(type: type, data: try reader.readBytes(rdlength, .recordData))
            }
        } catch .truncated {
            throw .badRecordData(offset: start, type: type, rdlength: rdlength)
        }
        guard reader.position == end else { throw .badRecordData(offset: start, type: type, rdlength: rdlength) }
        return data
    }

    /// Writes the RDATA (not the RDLENGTH in front of it).
    func encode(into writer: inout WireWriter) throws(DNSWireError) {
        switch self {
        case .a(let address): address.encode(into: &writer)
        case .aaaa(let address): address.encode(into: &writer)
        case .cname(let name), .ns(let name), .ptr(let name): writer.write(name, compress: true)
        case .soa(let soa): soa.encode(into: &writer)
        case .mx(let mx): mx.encode(into: &writer)
        case .txt(let strings):
            for string in strings {
                guard string.count <= 255 else { throw .characterStringTooLong(length: string.count) }
                writer.write(UInt8(string.count))
                writer.write(contentsOf: string)
            }
        case .srv(let srv): srv.encode(into: &writer)
        case .unknown(_, let data): writer.write(contentsOf: data)
        }
    }

    /// An upper bound of the encoded size, to reserve the output buffer once.
    var maximumEncodedLength: Int {
        switch self {
        case .a: 4
        case .aaaa: 16
        case .cname(let name), .ns(let name), .ptr(let name): name.encodedLength
        case .soa(let soa): soa.primaryNameServer.encodedLength + soa.responsibleMailbox.encodedLength + 20
        case .mx(let mx): 2 + mx.exchange.encodedLength
        case .txt(let strings): strings.reduce(0) { $0 + 1 + $1.count }
        case .srv(let srv): 6 + srv.target.encodedLength
        case .unknown(_, let data): data.count
        }
    }
}
