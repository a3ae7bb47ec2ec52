/// One option of the OPT record (RFC 6891 §6.1.2): client subnet and cookies typed, anything
/// else kept as code and octets.
public enum EDNSOption: Hashable, Sendable {
    /// EDNS Client Subnet, option code 8 (RFC 7871).
    case clientSubnet(ClientSubnet)
    /// DNS Cookie, option code 10 (RFC 7873).
    case cookie(DNSCookie)
    /// Any other option, with its data as received.
    case other(code: UInt16, data: [UInt8])

    /// Option code of client subnet (RFC 7871 §6).
    public static let clientSubnetCode: UInt16 = 8
    /// Option code of DNS cookies (RFC 7873 §4).
    public static let cookieCode: UInt16 = 10

    /// The OPTION-CODE.
    public var code: UInt16 {
        switch self {
        case .clientSubnet: EDNSOption.clientSubnetCode
        case .cookie: EDNSOption.cookieCode
        case .other(let code, _): code
        }
    }

    /// Length of the OPTION-DATA on the wire.
    var dataLength: Int {
        switch self {
        case .clientSubnet(let subnet): 4 + subnet.addressLength
        case .cookie(let cookie): cookie.client.count + cookie.server.count
        case .other(_, let data): data.count
        }
    }

    /// Decodes the data of one option; the reader stands after its code and length.
    static func decode(
        code: UInt16, length: Int, at optionStart: Int, from reader: inout WireReader
    ) throws(DNSWireError) -> EDNSOption {
        let data = try reader.readBytes(length, .recordData)
        switch code {
        case clientSubnetCode:
            guard let subnet = ClientSubnet(wireData: data) else {
                throw .badEDNSOption(offset: optionStart, code: code)
            }
            return .clientSubnet(subnet)
        case cookieCode:
            // RFC 7873 §5.2.2: an 8-octet client cookie, then nothing or 8–32 server octets.
            guard length == 8 || (16...40).contains(length) else {
                throw .badEDNSOption(offset: optionStart, code: code)
            }
            return .cookie(DNSCookie(unchecked: Array(data[..<8]), server: Array(data[8...])))
        default:
            return .other(code: code, data: data)
        }
    }

    /// Writes code, length and data.
    func encode(into writer: inout WireWriter) throws(DNSWireError) {
        writer.write(code)
        guard dataLength <= 0xFFFF else { throw .invalidEDNSOption(code: code) }
        writer.write(UInt16(dataLength))
        switch self {
        case .clientSubnet(let subnet): try subnet.encode(into: &writer)
        case .cookie(let cookie):
            writer.write(contentsOf: cookie.client)
            writer.write(contentsOf: cookie.server)
        case .other(_, let data): writer.write(contentsOf: data)
        }
    }
}
