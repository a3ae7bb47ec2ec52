/// EDNS(0) information, carried on the wire by the OPT pseudo-record (RFC 6891 §6).
///
/// Modelled on `Message` rather than as a record in `additionals` because OPT is not data: its
/// CLASS and TTL fields are reused for the payload size and flags, there is at most one, and its
/// extended RCODE bits belong to `Header.rcode`, where `Message` puts them.
public struct EDNS: Hashable, Sendable {
    /// The largest UDP payload the sender can reassemble (RFC 6891 §6.2.3). 1232 is the
    /// DNS Flag Day 2020 recommendation that avoids IP fragmentation. Values below 512 are kept
    /// as sent; RFC 6891 §6.2.5 says a receiver treats them as 512 (see
    /// `effectiveUDPPayloadSize`).
    public var udpPayloadSize: UInt16
    /// The EDNS version; only 0 is defined. A server answers other versions with BADVERS.
    public var version: UInt8
    /// DO: the sender can handle DNSSEC records (RFC 3225).
    public var dnssecOK: Bool
    /// The 15 flag bits after DO, reserved (RFC 6891 §6.1.4): zero when sending, kept as
    /// received so a decoded message re-encodes byte for byte.
    public var reservedFlags: UInt16
    /// The options, in wire order.
    public var options: [EDNSOption]

    /// Creates EDNS information; the defaults make a plain EDNS(0) OPT for a 1232-byte payload.
    public init(
        udpPayloadSize: UInt16 = 1232, version: UInt8 = 0, dnssecOK: Bool = false,
        reservedFlags: UInt16 = 0, options: [EDNSOption] = []
    ) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.reservedFlags = reservedFlags & 0x7FFF
        self.options = options
    }

    /// The payload size to act on: at least 512 (RFC 6891 §6.2.5).
    public var effectiveUDPPayloadSize: Int { max(512, Int(udpPayloadSize)) }
}

extension EDNS {
    /// Octets the OPT record takes: root owner (1), type, class, TTL, RDLENGTH (10), options.
    var encodedLength: Int { 11 + options.reduce(0) { $0 + 4 + $1.dataLength } }

    /// Decodes the options in the RDATA of an OPT record whose fixed fields were already read.
    /// `extendedRCode` is returned separately because it belongs to the header's rcode.
    static func decode(
        payloadSize: UInt16, ttl: UInt32, rdlength: Int, from reader: inout WireReader
    ) throws(DNSWireError) -> (edns: EDNS, extendedRCode: UInt8) {
        let start = reader.position
        let end = start + rdlength
        var options: [EDNSOption] = []
        while reader.position < end {
            let optionStart = reader.position
            guard end - optionStart >= 4 else { throw .badRecordData(offset: start, type: .opt, rdlength: rdlength) }
            let code = try reader.readUInt16(.recordData)
            let length = Int(try reader.readUInt16(.recordData))
            guard end - reader.position >= length else { throw .badEDNSOption(offset: optionStart, code: code) }
            options.append(try EDNSOption.decode(code: code, length: length, at: optionStart, from: &reader))
        }
        let edns = EDNS(
            udpPayloadSize: payloadSize,
            version: UInt8(truncatingIfNeeded: ttl >> 16),
            dnssecOK: ttl & 0x8000 != 0,
            reservedFlags: UInt16(truncatingIfNeeded: ttl) & 0x7FFF,
            options: options
        )
        return (edns, UInt8(truncatingIfNeeded: ttl >> 24))
    }

    /// Writes the whole OPT record, with the upper 8 bits of `rcode` in its TTL (RFC 6891 §6.1.3).
    func encode(rcode: ResponseCode, into writer: inout WireWriter) throws(DNSWireError) {
        writer.write(UInt8(0))
        writer.write(RecordType.opt.rawValue)
        writer.write(udpPayloadSize)
        let extended = UInt32((rcode.rawValue >> 4) & 0xFF)
        var ttl = extended << 24 | UInt32(version) << 16 | UInt32(reservedFlags & 0x7FFF)
        if dnssecOK { ttl |= 0x8000 }
        writer.write(ttl)
        let rdlengthAt = writer.count
        writer.write(UInt16(0))
        for option in options { try option.encode(into: &writer) }
        let rdlength = writer.count - rdlengthAt - 2
        guard rdlength <= 0xFFFF else { throw .recordDataTooLong(type: .opt, length: rdlength) }
        writer.patch(UInt16(rdlength), at: rdlengthAt)
    }
}
