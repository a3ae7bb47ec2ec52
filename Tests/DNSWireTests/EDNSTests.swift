import Testing

@testable import DNSWire

@Suite("EDNS")
struct EDNSTests {
    static func roundTrip(_ edns: EDNS) throws -> (bytes: [UInt8], decoded: EDNS?) {
        let bytes = try Message(header: Header(id: 1), edns: edns).encode()
        return (bytes, try Message(decoding: bytes).edns)
    }

    @Test("payload size, version, DO and reserved flags survive a round trip")
    func fixedFields() throws {
        let edns = EDNS(udpPayloadSize: 4096, version: 1, dnssecOK: true, reservedFlags: 0x0123)
        let (bytes, decoded) = try Self.roundTrip(edns)
        #expect(Array(bytes[12...]) == [0, 0, 41, 0x10, 0x00, 0, 1, 0x81, 0x23, 0, 0])
        #expect(decoded == edns)
    }

    @Test("payload sizes below 512 are kept but act as 512 (RFC 6891 §6.2.5)")
    func smallPayload() {
        #expect(EDNS(udpPayloadSize: 100).effectiveUDPPayloadSize == 512)
        #expect(EDNS(udpPayloadSize: 1232).effectiveUDPPayloadSize == 1232)
    }

    @Test("a client subnet is sent with only the octets its prefix covers (RFC 7871 §6)")
    func clientSubnetWire() throws {
        let subnet = try ClientSubnet(address: .ipv4(IPv4Address(192, 0, 2, 0)), sourcePrefixLength: 24)
        let (bytes, decoded) = try Self.roundTrip(EDNS(options: [.clientSubnet(subnet)]))
        #expect(Array(bytes.suffix(11)) == [0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2])  // code, length, family, /24, scope, 3 octets
        #expect(decoded?.options == [.clientSubnet(subnet)])
    }

    @Test("an IPv6 client subnet round-trips")
    func clientSubnetIPv6() throws {
        let subnet = try ClientSubnet(address: .ipv6(try #require(IPv6Address("2001:db8::"))), sourcePrefixLength: 56, scopePrefixLength: 48)
        #expect(try Self.roundTrip(EDNS(options: [.clientSubnet(subnet)])).decoded?.options == [.clientSubnet(subnet)])
    }

    @Test("a prefix longer than the address is refused when building a client subnet")
    func clientSubnetPrefixTooLong() {
        #expect(throws: DNSWireError.invalidEDNSOption(code: 8)) {
            try ClientSubnet(address: .ipv4(IPv4Address(10, 0, 0, 0)), sourcePrefixLength: 33)
        }
    }

    @Test("cookies keep client and server parts; bad lengths are refused")
    func cookies() throws {
        let cookie = try DNSCookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: [UInt8](repeating: 9, count: 16))
        #expect(try Self.roundTrip(EDNS(options: [.cookie(cookie)])).decoded?.options == [.cookie(cookie)])
        #expect(throws: DNSWireError.invalidEDNSOption(code: 10)) { try DNSCookie(client: [1, 2, 3]) }
        #expect(throws: DNSWireError.invalidEDNSOption(code: 10)) { try DNSCookie(client: [UInt8](repeating: 0, count: 8), server: [1]) }
    }

    @Test("unknown options are kept as code and bytes")
    func otherOptions() throws {
        let padding = EDNSOption.other(code: 12, data: [0, 0, 0])
        #expect(try Self.roundTrip(EDNS(options: [padding])).decoded?.options == [padding])
        #expect(padding.code == 12)
    }
}
