import DNSWire

/// One `src` pattern: an IPv4 or IPv6 network (a plain address is a network of one), read as
/// HAProxy reads them (manual §7.1.6) and compared as numbers per request.
///
/// IPv4 takes a prefix length or a dotted mask (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`; HAProxy
/// accepts a non-contiguous dotted mask and so does this: the mask is applied bit by bit).
/// IPv6 takes a prefix length only. Host names (which HAProxy resolves once at start-up unless
/// `-n`) and the abbreviated IPv4 forms (`10.12`, which only its resolver accepts) are refused.
enum IPNetwork: Sendable, Hashable, CustomStringConvertible {
    case v4(address: UInt32, mask: UInt32)
    case v6(address: UInt128, prefixLength: Int)

    /// Parses one pattern, or throws the reason it is not one.
    init(parsing text: String) throws(HAProxyLineError) {
        let slash = text.lastIndex(of: "/")
        let addressText = slash.map { String(text[..<$0]) } ?? text
        let maskText = slash.map { String(text[text.index(after: $0)...]) }
        switch IPAddressValue(addressText) {
        case .v4(let address)?:
            var mask: UInt32 = .max
            if let maskText {
                if maskText.contains(".") {
                    guard case .v4(let dotted)? = IPAddressValue(maskText) else {
                        throw HAProxyLineError("'\(text)' is not a valid IPv4 network: '\(maskText)' is not a dotted mask")
                    }
                    mask = dotted
                } else {
                    guard let length = Int(maskText), (0...32).contains(length), maskText.allSatisfy(\.isASCII) else {
                        throw HAProxyLineError("'\(text)' is not a valid IPv4 network: the prefix length must be 0 to 32")
                    }
                    mask = length == 0 ? 0 : UInt32.max << (32 - length)
                }
            }
            self = .v4(address: address & mask, mask: mask)
        case .v6(let address)?:
            var length = 128
            if let maskText {
                guard let value = Int(maskText), (0...128).contains(value), maskText.allSatisfy(\.isASCII) else {
                    throw HAProxyLineError("'\(text)' is not a valid IPv6 network: the prefix length must be 0 to 128")
                }
                length = value
            }
            self = .v6(address: address & Self.mask(length), prefixLength: length)
        case nil:
            throw HAProxyLineError("'\(text)' is not a valid IPv4 or IPv6 address (write a dotted quad such as 10.0.0.0/8 or an IPv6 address such as 2001:db8::/32; proxyd resolves no host names in ACLs)")
        }
    }

    private static func mask(_ length: Int) -> UInt128 { length == 0 ? 0 : UInt128.max << (128 - length) }

    /// Whether `client` lies in this network. An IPv4 client matches an IPv6 network as
    /// `::ffff:a.b.c.d`; an IPv6 client matches an IPv4 network through the IPv4 address it
    /// carries (see ``IPAddressValue/embeddedIPv4``), as HAProxy does.
    @inline(__always)
    func contains(_ client: IPAddressValue) -> Bool {
        switch (self, client) {
        case (.v4(let address, let mask), _):
            guard let v4 = client.embeddedIPv4 else { return false }
            return v4 & mask == address
        case (.v6(let address, let length), .v6(let value)):
            return value & Self.mask(length) == address
        case (.v6(let address, let length), .v4(let value)):
            return (UInt128(0xFFFF) << 32 | UInt128(value)) & Self.mask(length) == address
        }
    }

    /// The network as haproxy.cfg and the YAML write it (`10.0.0.0/8`, `2001:db8::/32`).
    var description: String {
        switch self {
        case .v4(let address, let mask):
            let text = IPv4Address(rawValue: address).description
            if mask == .max { return text }
            // A contiguous mask (ones then zeros) is written as its length, any other dotted.
            let contiguous = (~mask) & ((~mask) &+ 1) == 0
            return contiguous ? "\(text)/\(mask.nonzeroBitCount)" : "\(text)/\(IPv4Address(rawValue: mask))"
        case .v6(let address, let length):
            let text = IPv6Address(high: UInt64(truncatingIfNeeded: address >> 64), low: UInt64(truncatingIfNeeded: address)).description
            return length == 128 ? text : "\(text)/\(length)"
        }
    }
}
