/// A response code, including the extended bits carried by EDNS (RFC 6891 §6.1.3).
///
/// The header holds only the low 4 bits; the OPT record holds the upper 8. `Message` combines
/// them on decode and splits them on encode, so code that handles a response never has to.
public struct ResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 12-bit response code (0–4095).
    public var rawValue: UInt16

    /// Wraps a response code value. Only the low 12 bits are kept on the wire.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// No error (RFC 1035 §4.1.1).
    public static let noError = ResponseCode(rawValue: 0)
    /// The server could not interpret the query (RFC 1035 §4.1.1).
    public static let formatError = ResponseCode(rawValue: 1)
    /// The server failed to process the query (RFC 1035 §4.1.1).
    public static let serverFailure = ResponseCode(rawValue: 2)
    /// The queried name does not exist (RFC 1035 §4.1.1, RFC 8020).
    public static let nameError = ResponseCode(rawValue: 3)
    /// The server does not support this kind of query (RFC 1035 §4.1.1).
    public static let notImplemented = ResponseCode(rawValue: 4)
    /// The server refuses to answer (RFC 1035 §4.1.1).
    public static let refused = ResponseCode(rawValue: 5)
    /// A name exists that should not (RFC 2136 §2.2).
    public static let yxDomain = ResponseCode(rawValue: 6)
    /// An RRset exists that should not (RFC 2136 §2.2).
    public static let yxRRSet = ResponseCode(rawValue: 7)
    /// An RRset that should exist does not (RFC 2136 §2.2).
    public static let nxRRSet = ResponseCode(rawValue: 8)
    /// Server not authoritative / not authorized (RFC 2136 §2.2, RFC 8945).
    public static let notAuth = ResponseCode(rawValue: 9)
    /// A name is not within the zone (RFC 2136 §2.2).
    public static let notZone = ResponseCode(rawValue: 10)
    /// The EDNS version is not supported (RFC 6891 §9); needs EDNS to be sent.
    public static let badVersion = ResponseCode(rawValue: 16)
    /// A bad or missing server cookie (RFC 7873 §8); needs EDNS to be sent.
    public static let badCookie = ResponseCode(rawValue: 23)

    /// Whether this code needs the extended RCODE field of an OPT record (it is above 15).
    public var isExtended: Bool { rawValue > 15 }

    /// The mnemonic (`NXDOMAIN`), or the number.
    public var description: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        case 16: "BADVERS"
        case 23: "BADCOOKIE"
        default: "\(rawValue)"
        }
    }
}
