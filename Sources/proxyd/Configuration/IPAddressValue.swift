import DNSWire

/// An IP address as a number, for matching `src` networks without formatting or parsing text
/// per request. Read once per connection from the socket address (`IPAddressValue+Socket.swift`).
enum IPAddressValue: Sendable, Hashable {
    /// An IPv4 address, most significant byte first (`10.0.0.1` is `0x0A00_0001`).
    case v4(UInt32)
    /// An IPv6 address, most significant byte first.
    case v6(UInt128)

    /// Parses a numeric address (`192.0.2.1`, `2001:db8::1`) with DNSWire's parsers; nil
    /// otherwise. IPv4 must be the full dotted quad without leading zeros (inet_pton's rule,
    /// the one HAProxy applies too).
    init?(_ text: String) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4.rawValue)
        } else if let v6 = IPv6Address(text) {
            self = .v6(UInt128(v6.high) << 64 | UInt128(v6.low))
        } else {
            return nil
        }
    }

    /// The IPv4 address an IPv6 address carries, as HAProxy reads one when it matches an IPv4
    /// pattern against an IPv6 client (manual §7.1.6): `::ffff:a.b.c.d` (mapped),
    /// `::a.b.c.d` (compatible) and `2002:AABB:CCDD::` (6to4). nil for any other address.
    var embeddedIPv4: UInt32? {
        switch self {
        case .v4(let address): return address
        case .v6(let address):
            let high64 = UInt64(truncatingIfNeeded: address >> 64)
            let middle32 = UInt32(truncatingIfNeeded: address >> 32)
            if high64 == 0 && (middle32 == 0 || middle32 == 0xFFFF) { return UInt32(truncatingIfNeeded: address) }
            if UInt16(truncatingIfNeeded: address >> 112) == 0x2002 { return UInt32(truncatingIfNeeded: address >> 80) }
            return nil
        }
    }
}
