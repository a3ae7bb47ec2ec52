/// Everything that can go wrong when DNSWire reads or writes a DNS message or name.
///
/// Decoding errors carry the byte offset (from the start of the message, or of the
/// presentation text for `DomainName.init(_:)`) where the problem was found, so that a person
/// holding the packet can see exactly which byte was wrong. Encoding errors name the value
/// that could not be written.
public enum DNSWireError: Error, Hashable, Sendable {
    /// The part of a message that was being read when the bytes ran out.
    public enum Element: Hashable, Sendable {
        /// The fixed 12-byte header (RFC 1035 §4.1.1).
        case header
        /// A domain name (RFC 1035 §4.1.4).
        case name
        /// The type and class of a question (RFC 1035 §4.1.2).
        case question
        /// The type, class, TTL and RDLENGTH of a resource record (RFC 1035 §4.1.3).
        case recordHeader
        /// The data of a record or an EDNS option. Reported to callers as `.badRecordData` or
        /// `.badEDNSOption`, which say which record.
        case recordData
    }

    // MARK: Decoding a message

    /// The input ended at `offset` in the middle of `element`.
    case truncated(offset: Int, element: Element)
    /// A section count in the header promises more entries than the message holds: the
    /// message ended at `offset` after `present` of the `declared` entries of `section`.
    case countMismatch(section: Section, declared: Int, present: Int, offset: Int)
    /// Bytes remain after the last entry promised by the header counts. Rejected rather than
    /// ignored: trailing data usually means a count was wrong, and silently dropping it would
    /// let two parsers disagree on what the message says.
    case trailingBytes(offset: Int, count: Int)
    /// The input is longer than any DNS message can be (65535 octets, the TCP length prefix
    /// of RFC 1035 §4.2.2).
    case messageTooLong(length: Int)

    // MARK: Names on the wire

    /// The compression pointer at `offset` points to `target`, which is not strictly before the
    /// labels that contain the pointer (RFC 1035 §4.1.4 "a prior occurrence"). This rejects
    /// pointer loops, pointers to themselves and forward pointers.
    case badPointer(offset: Int, target: Int)
    /// The name starting at `offset` follows more compression pointers than any valid name needs.
    case tooManyPointers(offset: Int)
    /// The label length byte at `offset` uses the reserved label types 0b01 or 0b10
    /// (RFC 1035 §4.1.4, RFC 6891 §5): `byte` is the raw length octet.
    case badLabelType(offset: Int, byte: UInt8)
    /// The name starting at `offset` is `length` octets long in wire form, more than the
    /// 255 allowed by RFC 1035 §3.1 / RFC 2181 §11.
    case nameTooLong(offset: Int, length: Int)

    // MARK: Names in presentation form

    /// The label starting at `offset` in the text is `length` octets long, more than the 63
    /// allowed by RFC 1035 §2.3.4.
    case labelTooLong(offset: Int, length: Int)
    /// The text has an empty label at `offset` (two dots in a row, or a leading dot).
    case emptyLabel(offset: Int)
    /// The backslash escape at `offset` is incomplete, or `\DDD` is above 255 (RFC 1035 §5.1).
    case badEscape(offset: Int)

    // MARK: Resource records

    /// RDLENGTH at `offset` says `rdlength` octets, but only `available` remain in the message.
    case rdlengthOverrun(offset: Int, rdlength: Int, available: Int)
    /// The record data starting at `offset` does not have the layout of a `type` record with
    /// `rdlength` octets (too short for its fixed fields, or bytes left over).
    case badRecordData(offset: Int, type: RecordType, rdlength: Int)
    /// A second OPT record starts at `offset` (RFC 6891 §6.1.1: at most one per message).
    case duplicateOPT(offset: Int)
    /// An OPT record starts at `offset` in `section`; RFC 6891 §6.1.1 allows it only in the
    /// additional section.
    case optOutsideAdditional(offset: Int, section: Section)
    /// The OPT record starting at `offset` has an owner other than the root (RFC 6891 §6.1.2).
    case optOwnerNotRoot(offset: Int)
    /// The EDNS option with `code` starting at `offset` overruns the OPT data or has a layout
    /// its RFC forbids (client subnet: RFC 7871 §6; cookie: RFC 7873 §4).
    case badEDNSOption(offset: Int, code: UInt16)

    // MARK: Encoding

    /// The message needs `length` octets, more than 65535 (RFC 1035 §4.2.2).
    case encodedMessageTooLong(length: Int)
    /// Header, questions and the OPT record alone need `length` octets, more than `maxSize`.
    case doesNotFit(length: Int, maxSize: Int)
    /// The record data of a `type` record would be `length` octets, more than RDLENGTH holds.
    case recordDataTooLong(type: RecordType, length: Int)
    /// A TXT character-string is `length` octets; RFC 1035 §3.3 allows at most 255.
    case characterStringTooLong(length: Int)
    /// `rcode` needs the extended RCODE bits of an OPT record (RFC 6891 §6.1.3), but the
    /// message has no `edns`.
    case extendedRCodeWithoutEDNS(rcode: ResponseCode)
    /// An EDNS option with `code` has values its RFC does not allow (a cookie whose client part
    /// is not 8 octets or whose server part is not empty or 8–32 octets, RFC 7873 §4; a client
    /// subnet prefix longer than its address, RFC 7871 §6).
    case invalidEDNSOption(code: UInt16)
}
