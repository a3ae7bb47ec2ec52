/// A resource record CLASS or question QCLASS (RFC 1035 §3.2.4, §3.2.5).
///
/// A struct rather than an enum so that unknown values survive a round trip (RFC 3597 §5).
public struct RecordClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit CLASS value as it appears on the wire.
    public var rawValue: UInt16

    /// Wraps any 16-bit CLASS value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The Internet (RFC 1035 §3.2.4).
    public static let `in` = RecordClass(rawValue: 1)
    /// Chaos (RFC 1035 §3.2.4), used for `version.bind`-style queries.
    public static let chaos = RecordClass(rawValue: 3)
    /// Hesiod (RFC 1035 §3.2.4).
    public static let hesiod = RecordClass(rawValue: 4)
    /// "None", meaning "delete this record" in dynamic updates (RFC 2136 §2.4).
    public static let none = RecordClass(rawValue: 254)
    /// "Any class" in questions and "delete the RRset" in dynamic updates (RFC 2136 §2.5.2).
    public static let any = RecordClass(rawValue: 255)

    /// The mnemonic (`IN`), or `CLASS<n>` for classes without one (RFC 3597 §5).
    public var description: String {
        switch rawValue {
        case 1: "IN"
        case 3: "CH"
        case 4: "HS"
        case 254: "NONE"
        case 255: "ANY"
        default: "CLASS\(rawValue)"
        }
    }
}
