import Testing

@testable import DNSWire

@Suite("IP address values")
struct AddressTests {
    @Test("IPv4 text parses and prints as a dotted quad")
    func ipv4() {
        #expect(IPv4Address("10.0.1.17") == IPv4Address(10, 0, 1, 17))
        #expect(IPv4Address(10, 0, 1, 17).description == "10.0.1.17")
        #expect(IPv4Address(rawValue: 0x7F00_0001).octets == [127, 0, 0, 1])
    }

    @Test("malformed IPv4 text is rejected", arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4 "])
    func ipv4Malformed(_ text: String) {
        #expect(IPv4Address(text) == nil)
    }

    @Test("IPv6 prints in RFC 5952 canonical form", arguments: [
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("::ffff:192.0.2.1", "::ffff:c000:201"),
    ])
    func ipv6Canonical(_ text: String, _ canonical: String) throws {
        #expect(try #require(IPv6Address(text)).description == canonical)
    }

    @Test("malformed IPv6 text is rejected", arguments: ["", ":", "1:2:3:4:5:6:7", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::", "1:"])
    func ipv6Malformed(_ text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test("IPv6 octets round-trip")
    func ipv6Octets() throws {
        let address = try #require(IPv6Address("2001:db8::2:1"))
        #expect(IPv6Address(octets: address.octets) == address)
        #expect(IPv6Address(octets: [1, 2, 3]) == nil)
    }
}
