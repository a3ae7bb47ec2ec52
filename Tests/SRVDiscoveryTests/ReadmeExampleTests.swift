import Logging
import SRVDiscovery
import Synchronization
import Testing

// MARK: The README example, verbatim (README.md, "## SRVDiscovery"). Keep the two in step.

/// The simplest balancer: round robin over the endpoints of the lowest SRV priority present.
/// (LoadBalance offers weighted, least-request and health-aware strategies on the same input.)
final class EndpointPool: Sendable {
    private let state = Mutex<(endpoints: [Endpoint], next: Int)>(([], 0))

    func replace(with set: EndpointSet) {
        let best = set.map(\.priority).min()
        state.withLock { $0 = (set.filter { $0.priority == best }, 0) }
    }

    func pick() -> Endpoint? {
        state.withLock { state in
            guard !state.endpoints.isEmpty else { return nil }
            defer { state.next += 1 }
            return state.endpoints[state.next % state.endpoints.count]
        }
    }
}

/// Keeps `pool` in step with the tasks AWS Cloud Map publishes for the hello-world service.
/// Returns when the calling task is cancelled.
func followHelloWorld(config: ResolverConfig, pool: EndpointPool, logger: Logger) async {
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
        logger.info("hello-world endpoints: \(endpoints)")
        pool.replace(with: endpoints)
    }
}

// MARK: The example, run.

@Suite("README example", .timeLimit(.minutes(1)))
struct ReadmeExampleTests {
    @Test("the README example fills a pool from an SRV name and round-robins over it")
    func readmeExample() async throws {
        let responder = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1, 2], ttl: 30))] })
        defer { responder.stop() }
        let config = ResolverConfig(nameservers: [try responder.address], timeout: .milliseconds(500))
        let pool = EndpointPool()
        let following = Task { await followHelloWorld(config: config, pool: pool, logger: Logger.quiet) }
        defer { following.cancel() }
        let deadline = ContinuousClock.now + .seconds(5)
        while pool.pick() == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let picks = (0..<4).compactMap { _ in pool.pick()?.port }
        #expect(Set(picks) == [8001, 8002])
        #expect(picks.count == 4)
    }
}
