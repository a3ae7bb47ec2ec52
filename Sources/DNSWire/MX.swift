/// The data of an MX record: a mail exchange for the owner name (RFC 1035 §3.3.9).
public struct MX: Hashable, Sendable {
    /// Lower values are preferred.
    public var preference: UInt16
    /// The host that accepts mail.
    public var exchange: DomainName

    /// Creates MX record data.
    public init(preference: UInt16, exchange: DomainName) {
        self.preference = preference
        self.exchange = exchange
    }
}

extension MX {
    static func decode(from reader: inout WireReader) throws(DNSWireError) -> MX {
        MX(preference: try reader.readUInt16(.recordData), exchange: try reader.readName())
    }

    /// The exchange may be compressed: MX is one of the RFC 1035 types (RFC 3597 §4).
    func encode(into writer: inout WireWriter) {
        writer.write(preference)
        writer.write(exchange, compress: true)
    }
}
