/// An EDNS Client Subnet option (RFC 7871): the network a query is made on behalf of.
///
/// On the wire the address is cut to the octets the source prefix covers (RFC 7871 §6); here it
/// is a full address with the uncovered octets zero, and `addressLength` says how many octets
/// are sent.
public struct ClientSubnet: Hashable, Sendable {
    /// The client network's address.
    public enum Address: Hashable, Sendable {
        /// ADDRESS FAMILY 1.
        case ipv4(IPv4Address)
        /// ADDRESS FAMILY 2.
        case ipv6(IPv6Address)
    }

    /// The network address.
    public let address: Address
    /// SOURCE PREFIX-LENGTH: how many leading bits of `address` are meaningful.
    public let sourcePrefixLength: UInt8
    /// SCOPE PREFIX-LENGTH: in a response, how many bits the answer is valid for; 0 in queries.
    public let scopePrefixLength: UInt8

    /// Creates the option; throws `.invalidEDNSOption(code: 8)` when a prefix length exceeds
    /// the address size (32 or 128 bits).
    public init(address: Address, sourcePrefixLength: UInt8, scopePrefixLength: UInt8 = 0) throws(DNSWireError) {
        let bits: UInt8 = if case .ipv4 = address { 32 } else { 128 }
        guard sourcePrefixLength <= bits, scopePrefixLength <= bits else {
            throw .invalidEDNSOption(code: EDNSOption.clientSubnetCode)
        }
        self.address = address
        self.sourcePrefixLength = sourcePrefixLength
        self.scopePrefixLength = scopePrefixLength
    }

    /// Octets of the address on the wire: the source prefix rounded up to whole octets.
    var addressLength: Int { (Int(sourcePrefixLength) + 7) / 8 }

    /// Decodes FAMILY, SOURCE, SCOPE and ADDRESS; `nil` for an unknown family, a prefix longer
    /// than the family's address, or an address whose length does not match the source prefix
    /// (RFC 7871 §6: such a query gets FORMERR).
    init?(wireData data: [UInt8]) {
        guard data.count >= 4 else { return nil }
        let family = UInt16(data[0]) << 8 | UInt16(data[1])
        let source = data[2]
        let scope = data[3]
        let addressOctets = data[4...]
        guard addressOctets.count == (Int(source) + 7) / 8 else { return nil }
        let address: Address
        switch family {
        case 1:
            guard source <= 32, scope <= 32 else { return nil }
            var raw: UInt32 = 0
            for index in 0..<4 {
                raw = raw << 8 | UInt32(index < addressOctets.count ? addressOctets[addressOctets.startIndex + index] : 0)
            }
            address = .ipv4(IPv4Address(rawValue: raw))
        case 2:
            guard source <= 128, scope <= 128 else { return nil }
            let padded = Array(addressOctets) + [UInt8](repeating: 0, count: 16 - addressOctets.count)
            guard let v6 = IPv6Address(octets: padded) else { return nil }
            address = .ipv6(v6)
        default:
            return nil
        }
        self.address = address
        self.sourcePrefixLength = source
        self.scopePrefixLength = scope
    }

    func encode(into writer: inout WireWriter) throws(DNSWireError) {
        let octets: [UInt8]
        switch address {
        case .ipv4(let v4):
            writer.write(UInt16(1))
            octets = v4.octets
        case .ipv6(let v6):
            writer.write(UInt16(2))
            octets = v6.octets
        }
        guard addressLength <= octets.count else { throw .invalidEDNSOption(code: EDNSOption.clientSubnetCode) }
        writer.write(sourcePrefixLength)
        writer.write(scopePrefixLength)
        writer.write(contentsOf: octets[..<addressLength])
    }
}
