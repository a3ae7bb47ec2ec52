/// A resource record TYPE or question QTYPE (RFC 1035 §3.2.2, §3.2.3).
///
/// A struct rather than an enum so that every 16-bit value survives a decode/encode round trip:
/// types this library does not know are carried as numbers (RFC 3597 §5).
public struct RecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit TYPE value as it appears on the wire.
    public var rawValue: UInt16

    /// Wraps any 16-bit TYPE value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// IPv4 host address (RFC 1035 §3.4.1).
    public static let a = RecordType(rawValue: 1)
    /// Authoritative name server (RFC 1035 §3.3.11).
    public static let ns = RecordType(rawValue: 2)
    /// Canonical name of an alias (RFC 1035 §3.3.1).
    public static let cname = RecordType(rawValue: 5)
    /// Start of a zone of authority (RFC 1035 §3.3.13).
    public static let soa = RecordType(rawValue: 6)
    /// Domain name pointer (RFC 1035 §3.3.12).
    public static let ptr = RecordType(rawValue: 12)
    /// Mail exchange (RFC 1035 §3.3.9).
    public static let mx = RecordType(rawValue: 15)
    /// Text strings (RFC 1035 §3.3.14).
    public static let txt = RecordType(rawValue: 16)
    /// IPv6 host address (RFC 3596 §2.1).
    public static let aaaa = RecordType(rawValue: 28)
    /// Service location (RFC 2782).
    public static let srv = RecordType(rawValue: 33)
    /// EDNS(0) pseudo-record (RFC 6891 §6.1); decoded into `Message.edns`, never a record.
    public static let opt = RecordType(rawValue: 41)
    /// Zone transfer query type (RFC 1035 §3.2.3).
    public static let axfr = RecordType(rawValue: 252)
    /// Query type asking for all records (RFC 1035 §3.2.3; RFC 8482 for how servers answer).
    public static let any = RecordType(rawValue: 255)

    /// The mnemonic (`SRV`), or `TYPE<n>` for types without one here (RFC 3597 §5).
    public var description: String {
        switch rawValue {
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 12: "PTR"
        case 15: "MX"
        case 16: "TXT"
        case 28: "AAAA"
        case 33: "SRV"
        case 41: "OPT"
        case 252: "AXFR"
        case 255: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}
