import LoadBalance
import Logging
import SRVDiscovery
import Testing

// MARK: The documented example, verbatim (Sources/SRVDiscovery/SRVDiscovery.docc/WatchingAnSRVName.md,
// once README.md's "Watching an SRV name and balancing calls over it"). Keep the two in step.

/// Keeps `balancer` in step with the tasks AWS Cloud Map publishes for the hello-world
/// service. Returns when the calling task is cancelled.
func followHelloWorld(config: ResolverConfig, balancer: LoadBalancer, logger: Logger) async {
    let dns = DNSResolver(configuration: config, logger: logger)
    let srv = SRVResolver(resolver: dns, addressPreference: .ipv4, logger: logger)
    let watcher = EndpointWatcher(
        name: "_hello-world-service.internal.",
        resolver: srv,
        configuration: EndpointWatcherConfiguration(
            minimumRefresh: .seconds(1),   // even with TTL 0
            maximumRefresh: .seconds(60),  // even with TTL 86400
            grace: .seconds(30),           // a task missing from one answer stays this long
            failureHold: .seconds(300),    // DNS down: keep the last set this long
            emptyHold: .seconds(30)        // NXDOMAIN / no tasks: keep the last set this long
        ),
        logger: logger)
    for await endpoints in watcher {
        // Both modules have an `Endpoint`: LoadBalance's is the balancer's own value.
        let backends = endpoints.map {
            LoadBalance.Endpoint(
                address: "\($0.address)", port: Int($0.port),
                weight: $0.weight, priority: $0.priority, target: $0.target)
        }
        do {
            try balancer.update(backends)
        } catch {
            logger.error("hello-world endpoints rejected: \(error)")
        }
    }
}

// MARK: The example, run.

@Suite("README example", .timeLimit(.minutes(1)))
struct ReadmeExampleTests {
    @Test("the README example feeds a LoadBalance balancer from an SRV name and calls go to both tasks")
    func readmeExample() async throws {
        let responder = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1, 2], ttl: 30))] })
        defer { responder.stop() }
        let config = ResolverConfig(nameservers: [try responder.address], timeout: .seconds(2))
        let balancer = try LoadBalancer(strategy: .roundRobin)
        let discovery = Task { await followHelloWorld(config: config, balancer: balancer, logger: .quiet) }
        defer { discovery.cancel() }
        let deadline = ContinuousClock.now + .seconds(5)
        while balancer.pick().lease == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        var ports: [Int] = []
        for _ in 0..<4 {
            ports.append(try await balancer.withEndpoint { endpoint in endpoint.port })
        }
        #expect(Set(ports) == [8001, 8002])
        #expect(ports.count == 4)
    }
}
