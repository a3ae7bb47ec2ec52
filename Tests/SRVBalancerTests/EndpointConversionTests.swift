import LoadBalance
import SRVDiscovery
import Testing

@testable import SRVBalancer

@Suite("Discovered endpoints as balancer endpoints")
struct EndpointConversionTests {
    @Test("an SRV endpoint keeps address, port, priority, weight and target; its id is address:port")
    func fields() throws {
        let discovered = SRVDiscovery.Endpoint(address: try #require(IPAddress(octets: [10, 0, 1, 7])), port: 32768, priority: 2, weight: 30, target: "task-1._hello.internal.", ttl: 10)
        let endpoint = LoadBalance.Endpoint(discovered)
        #expect(endpoint.id == "10.0.1.7:32768")
        #expect(endpoint.address == "10.0.1.7")
        #expect(endpoint.port == 32768)
        #expect(endpoint.priority == 2)
        #expect(endpoint.weight == 30)
        #expect(endpoint.target == "task-1._hello.internal.")
        #expect(endpoint.authority == "10.0.1.7:32768")
    }

    @Test("an IPv6 endpoint's id brackets the address, the address stays bare")
    func ipv6() throws {
        let address = try #require(IPAddress(octets: [0xfd, 0] + [UInt8](repeating: 0, count: 13) + [7]))
        let endpoint = LoadBalance.Endpoint(SRVDiscovery.Endpoint(address: address, port: 80, priority: 0, weight: 1, target: "t.internal.", ttl: 1))
        #expect(endpoint.id == "[fd00::7]:80")
        #expect(endpoint.address == "fd00::7")
        #expect(endpoint.authority == "[fd00::7]:80")
    }

    @Test("two targets resolving to one address and port become one balancer endpoint, so the update is accepted")
    func deduplicates() throws {
        let ten001 = try #require(IPAddress(octets: [10, 0, 0, 1]))
        let set = EndpointSet([
            SRVDiscovery.Endpoint(address: ten001, port: 80, priority: 0, weight: 1, target: "a.internal.", ttl: 1),
            SRVDiscovery.Endpoint(address: ten001, port: 80, priority: 0, weight: 1, target: "b.internal.", ttl: 1),
            SRVDiscovery.Endpoint(address: ten001, port: 81, priority: 0, weight: 1, target: "b.internal.", ttl: 1),
        ])
        let endpoints = set.balancerEndpoints
        #expect(endpoints.map(\.id) == ["10.0.0.1:80", "10.0.0.1:81"])
        #expect(endpoints.first?.target == "a.internal.")
        let balancer = try LoadBalancer(strategy: .roundRobin)
        try balancer.update(endpoints)
        #expect(balancer.status().count == 2)
    }
}
