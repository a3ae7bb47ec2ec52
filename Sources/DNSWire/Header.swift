/// The fixed part of a DNS message header (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD and CD).
///
/// The four section counts are not stored: they are always the sizes of the sections of the
/// `Message`, so they cannot disagree with them. `rcode` is the full 12-bit code; its upper bits
/// travel in the OPT record (RFC 6891 §6.1.3).
public struct Header: Hashable, Sendable {
    /// Query identifier, copied into the response (RFC 1035 §4.1.1). Use a random one per query
    /// (RFC 5452 §9.2).
    public var id: UInt16
    /// QR: this message is a response.
    public var isResponse: Bool
    /// The kind of query.
    public var opcode: Opcode
    /// AA: the responding server is authoritative for the answer's owner name.
    public var authoritativeAnswer: Bool
    /// TC: the message was truncated to fit the transport; a resolver retries over TCP
    /// (RFC 1035 §4.2.1, RFC 7766 §5).
    public var truncated: Bool
    /// RD: the client asks for recursion.
    public var recursionDesired: Bool
    /// RA: the server offers recursion.
    public var recursionAvailable: Bool
    /// Z: the reserved header bit. Must be zero when sending; kept so that a decoded message
    /// re-encodes byte for byte.
    public var reservedBit: Bool
    /// AD: all data in the answer was authenticated by DNSSEC (RFC 4035 §3.2.3).
    public var authenticData: Bool
    /// CD: the client asks not to check DNSSEC signatures (RFC 4035 §3.2.2).
    public var checkingDisabled: Bool
    /// The response code, 12 bits including the EDNS extension.
    public var rcode: ResponseCode

    /// Creates a header; every flag defaults to clear and the rcode to `.noError`.
    public init(
        id: UInt16,
        isResponse: Bool = false,
        opcode: Opcode = .query,
        authoritativeAnswer: Bool = false,
        truncated: Bool = false,
        recursionDesired: Bool = false,
        recursionAvailable: Bool = false,
        reservedBit: Bool = false,
        authenticData: Bool = false,
        checkingDisabled: Bool = false,
        rcode: ResponseCode = .noError
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.authoritativeAnswer = authoritativeAnswer
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.reservedBit = reservedBit
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.rcode = rcode
    }

    /// Reads only the first 12 bytes of a message.
    ///
    /// For a resolver that could not decode a whole response: a UDP answer cut short in the
    /// middle of a record still says here whether TC is set (retry over TCP) and which query
    /// `id` it answers. The `rcode` holds only the 4 header bits.
    public init(decoding bytes: some Collection<UInt8>) throws(DNSWireError) {
        guard bytes.count >= 12 else { throw .truncated(offset: bytes.count, element: .header) }
        var octets: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        var index = bytes.startIndex
        octets.0 = bytes[index]; bytes.formIndex(after: &index)
        octets.1 = bytes[index]; bytes.formIndex(after: &index)
        octets.2 = bytes[index]; bytes.formIndex(after: &index)
        octets.3 = bytes[index]
        self.init(id: UInt16(octets.0) << 8 | UInt16(octets.1), flags: UInt16(octets.2) << 8 | UInt16(octets.3))
    }

    /// Builds a header from the ID and the 16-bit flags word (RFC 1035 §4.1.1 layout).
    init(id: UInt16, flags: UInt16) {
        self.init(
            id: id,
            isResponse: flags & 0x8000 != 0,
            opcode: Opcode(rawValue: UInt8((flags >> 11) & 0xF)),
            authoritativeAnswer: flags & 0x0400 != 0,
            truncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0,
            recursionAvailable: flags & 0x0080 != 0,
            reservedBit: flags & 0x0040 != 0,
            authenticData: flags & 0x0020 != 0,
            checkingDisabled: flags & 0x0010 != 0,
            rcode: ResponseCode(rawValue: flags & 0xF)
        )
    }

    /// The 16-bit flags word with the low 4 bits of `rcode`.
    var flags: UInt16 {
        var flags = UInt16(opcode.rawValue & 0xF) << 11 | (rcode.rawValue & 0xF)
        if isResponse { flags |= 0x8000 }
        if authoritativeAnswer { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if reservedBit { flags |= 0x0040 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }
}
