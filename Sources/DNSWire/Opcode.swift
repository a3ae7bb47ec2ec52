/// The 4-bit OPCODE of a message header (RFC 1035 §4.1.1, RFC 6895 §2.2).
public struct Opcode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The opcode value, 0–15. Values above 15 are reduced to their low four bits on encode.
    public var rawValue: UInt8

    /// Wraps an opcode value.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A standard query (RFC 1035).
    public static let query = Opcode(rawValue: 0)
    /// An inverse query, obsolete (RFC 3425).
    public static let inverseQuery = Opcode(rawValue: 1)
    /// A server status request (RFC 1035).
    public static let status = Opcode(rawValue: 2)
    /// A zone change notification (RFC 1996).
    public static let notify = Opcode(rawValue: 4)
    /// A dynamic update (RFC 2136).
    public static let update = Opcode(rawValue: 5)

    /// The mnemonic (`QUERY`), or the number.
    public var description: String {
        switch rawValue {
        case 0: "QUERY"
        case 1: "IQUERY"
        case 2: "STATUS"
        case 4: "NOTIFY"
        case 5: "UPDATE"
        default: "\(rawValue)"
        }
    }
}
