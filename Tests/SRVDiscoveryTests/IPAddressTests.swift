import Testing

@testable import SRVDiscovery

@Suite("IP addresses and endpoint sets")
struct IPAddressTests {
    @Test("IPv6 prints in RFC 5952 canonical form")
    func ipv6Text() throws {
        #expect("\(try #require(IPAddress(octets: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])))" == "2001:db8::1")
        #expect("\(try #require(IPAddress(octets: Array(repeating: 0, count: 16))))" == "::")
        #expect("\(IPAddress.v6(high: 0x2001_0db8_0000_0001, low: 0x0000_0000_0000_0001))" == "2001:db8:0:1::1")
        #expect("\(IPAddress.v6(high: 0x2001_0db8_0000_0000, low: 0x0001_0000_0000_0001))" == "2001:db8::1:0:0:1")
        #expect("\(IPAddress.v6(high: 0x2001_0db8_0001_0001, low: 0x0001_0001_0001_0001))" == "2001:db8:1:1:1:1:1:1")
    }

    @Test("IPv4 prints as a dotted quad and round-trips its octets")
    func ipv4Text() throws {
        let address = try #require(IPAddress(octets: [127, 0, 0, 2]))
        #expect("\(address)" == "127.0.0.2")
        #expect(address.octets == [127, 0, 0, 2])
        #expect(IPAddress(octets: [1, 2, 3]) == nil)
    }

    @Test("target names compare ignoring ASCII case only, in sets and identities (RFC 4343)")
    func targetCase() {
        var upper = EndpointFactory.task(1)
        upper.target = upper.target.uppercased()
        #expect(EndpointSet([upper]).hasSameMembers(as: EndpointSet([EndpointFactory.task(1)])))
        #expect(upper.identity == EndpointFactory.task(1).identity)
        #expect(Endpoint.compareIgnoringASCIICase("a.example.", "B.example.") == -1)
        #expect(Endpoint.compareIgnoringASCIICase("ä.example.", "Ä.example.") != 0)
    }

    @Test("sets compare members, priority and weight but not TTL")
    func setComparison() {
        let one = EndpointSet([EndpointFactory.task(1, ttl: 10), EndpointFactory.task(2, ttl: 10)])
        let countedDown = EndpointSet([EndpointFactory.task(2, ttl: 3), EndpointFactory.task(1, ttl: 3)])
        let reweighted = EndpointSet([EndpointFactory.task(1, weight: 9), EndpointFactory.task(2)])
        #expect(one.hasSameMembers(as: countedDown))
        #expect(!one.hasSameMembers(as: reweighted))
    }
}
