/// The data of an SOA record: the start of a zone of authority (RFC 1035 §3.3.13).
///
/// Negative answers carry the zone's SOA in the authority section; its `minimum` bounds how
/// long the absence may be cached (RFC 2308 §5).
public struct SOA: Hashable, Sendable {
    /// The primary name server of the zone (MNAME).
    public var primaryNameServer: DomainName
    /// The mailbox of the person responsible, first label being the user (RNAME).
    public var responsibleMailbox: DomainName
    /// Version of the zone, compared with serial number arithmetic (RFC 1982).
    public var serial: UInt32
    /// Seconds between zone refreshes by secondaries.
    public var refresh: UInt32
    /// Seconds before a failed refresh is retried.
    public var retry: UInt32
    /// Seconds after which a secondary stops answering without a refresh.
    public var expire: UInt32
    /// TTL for negative answers from this zone (RFC 2308 §4).
    public var minimum: UInt32

    /// Creates SOA record data.
    public init(
        primaryNameServer: DomainName, responsibleMailbox: DomainName,
        serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32
    ) {
        self.primaryNameServer = primaryNameServer
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

extension SOA {
    static func decode(from reader: inout WireReader) throws(DNSWireError) -> SOA {
        SOA(
            primaryNameServer: try reader.readName(),
            responsibleMailbox: try reader.readName(),
            serial: try reader.readUInt32(.recordData),
            refresh: try reader.readUInt32(.recordData),
            retry: try reader.readUInt32(.recordData),
            expire: try reader.readUInt32(.recordData),
            minimum: try reader.readUInt32(.recordData)
        )
    }

    /// Both names may be compressed: SOA is one of the RFC 1035 types (RFC 3597 §4).
    func encode(into writer: inout WireWriter) {
        writer.write(primaryNameServer, compress: true)
        writer.write(responsibleMailbox, compress: true)
        writer.write(serial)
        writer.write(refresh)
        writer.write(retry)
        writer.write(expire)
        writer.write(minimum)
    }
}
