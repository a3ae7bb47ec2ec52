import Glibc
import NIOCore

/// An IP address as a number, for matching `src` networks without formatting or parsing text
/// per request. Read once per connection from the socket address (see ``init(_:)``).
enum IPAddressValue: Sendable, Hashable {
    /// An IPv4 address, most significant byte first (`10.0.0.1` is `0x0A00_0001`).
    case v4(UInt32)
    /// An IPv6 address, most significant byte first.
    case v6(UInt128)

    /// The address of a socket, nil for a Unix socket.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4): self = .v4(UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            var value: UInt128 = 0
            withUnsafeBytes(of: v6.address.sin6_addr) { bytes in
                for byte in bytes { value = value << 8 | UInt128(byte) }
            }
            self = .v6(value)
        case .unixDomainSocket: return nil
        }
    }

    /// Parses a numeric address (`192.0.2.1`, `2001:db8::1`) with `inet_pton`; nil otherwise.
    /// IPv4 must be the full dotted quad (inet_pton's rule, the one HAProxy applies too).
    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        var value: UInt128 = 0
        withUnsafeBytes(of: v6) { bytes in
            for byte in bytes { value = value << 8 | UInt128(byte) }
        }
        self = .v6(value)
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
