import NIOCore

extension IPAddressValue {
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
}
