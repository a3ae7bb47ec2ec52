import Testing
@testable import LoadBalance

@Suite("withEndpoint")
struct WithEndpointTests {
    struct Refused: Error {}

    @Test("runs the call on a picked endpoint and completes the lease")
    func success() async throws {
        let balancer = try LoadBalancer(strategy: .roundRobin)
        try balancer.update([endpoint("a")])
        let port = try await balancer.withEndpoint { $0.port }
        #expect(port == 80)
        #expect(balancer.status().first?.inFlight == 0)
    }

    @Test("a thrown error counts as a connection failure and is rethrown")
    func failureEjects() async throws {
        let config = LoadBalancerConfiguration(outlierDetection: OutlierDetection(consecutiveConnectionFailures: 1), panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config)
        try balancer.update([endpoint("a")])
        await #expect(throws: Refused.self) {
            try await balancer.withEndpoint { _ in throw Refused() }
        }
        let status = try #require(balancer.status().first)
        #expect(status.inFlight == 0)
        #expect(status.ejections == 1)
    }

    @Test("classify maps a result to a server error")
    func classify() async throws {
        let config = LoadBalancerConfiguration(outlierDetection: OutlierDetection(consecutiveServerErrors: 1), panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config)
        try balancer.update([endpoint("a")])
        let status = try await balancer.withEndpoint(classify: { $0 >= 500 ? .serverError : .success }) { _ in 503 }
        #expect(status == 503)
        #expect(balancer.status().first?.ejections == 1)
    }

    @Test("no endpoint is thrown as LoadBalancerError.noEndpoint with its reason")
    func noEndpoint() async throws {
        let balancer = try LoadBalancer(strategy: .roundRobin)
        await #expect(throws: LoadBalancerError.noEndpoint(.noEndpoints)) {
            try await balancer.withEndpoint { $0 }
        }
    }
}
