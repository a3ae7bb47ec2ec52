public import NIOCore

/// An IPv4 or IPv6 address taken from an A or AAAA record.
///
/// A small value type of its own (rather than `SocketAddress`) so that endpoints are cheap
/// to hash and compare, carry no port twice, and print in the canonical text form
/// (RFC 5952 for IPv6) that logs and stats pages show.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// An IPv4 address; the four octets in network order, most significant first.
    case v4(UInt32)
    /// An IPv6 address as its high and low 64 bits in network order.
    case v6(high: UInt64, low: UInt64)

    /// Builds an address from 4 (IPv4) or 16 (IPv6) octets in network order; nil otherwise.
    public init?(octets: some Collection<UInt8>) {
        switch octets.count {
        case 4:
            self = .v4(octets.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            let high = octets.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = octets.dropFirst(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high: high, low: low)
        default:
            return nil
        }
    }

    /// The address in network order: 4 or 16 octets.
    public var octets: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// Dotted quad for IPv4; for IPv6 the RFC 5952 §4 form: lowercase hex, leading zeros
    /// dropped, the longest run (first on a tie) of two or more zero groups shown as `::`.
    public var description: String {
        switch self {
        case .v4:
            return octets.map(String.init).joined(separator: ".")
        case .v6:
            let bytes = octets
            let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < 8 {
                if groups[index] == 0 {
                    var end = index
                    while end < 8, groups[end] == 0 { end += 1 }
                    if end - index > bestLength {
                        bestStart = index
                        bestLength = end - index
                    }
                    index = end
                } else {
                    index += 1
                }
            }
            let hex = groups.map { String($0, radix: 16) }
            guard bestStart >= 0 else { return hex.joined(separator: ":") }
            let head = hex[..<bestStart].joined(separator: ":")
            let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
            return head + "::" + tail
        }
    }

    /// The socket address to connect to this address at `port`.
    public func socketAddress(port: Int) throws -> SocketAddress {
        try SocketAddress(ipAddress: description, port: port)
    }

    /// Orders IPv4 before IPv6, then numerically, so endpoint lists print in a stable order.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): return a < b
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case (.v6(let ah, let al), .v6(let bh, let bl)): return (ah, al) < (bh, bl)
        }
    }
}
