import Logging
import SRVDiscovery
import Testing

// MARK: The getting-started example, verbatim (Sources/SRVDiscovery/SRVDiscovery.docc/GettingStarted.md).
// Keep the two in step.

/// Resolves the hello-world service once, then returns the first set its watcher yields.
func helloWorldEndpoints(config: ResolverConfig, logger: Logger) async throws -> EndpointSet? {
    let dns = DNSResolver(configuration: config, logger: logger)
    let srv = SRVResolver(resolver: dns, addressPreference: .ipv4, logger: logger)

    let answer = try await srv.resolveSRV("_hello-world-service.internal.")  // once
    logger.info("\(answer.endpoints) valid for \(answer.ttl) s")

    let watcher = EndpointWatcher(name: "_hello-world-service.internal.", resolver: srv, logger: logger)
    for await endpoints in watcher {  // again only when members, priorities or weights change
        return endpoints              // a service keeps iterating until its task is cancelled
    }
    return nil
}

// MARK: The example, run.

@Suite("Getting-started example", .timeLimit(.minutes(1)))
struct GettingStartedExampleTests {
    @Test("the getting-started example resolves the SRV name and its watcher yields every task")
    func gettingStartedExample() async throws {
        let responder = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1, 2, 3], ttl: 30))] })
        defer { responder.stop() }
        let config = ResolverConfig(nameservers: [try responder.address], timeout: .seconds(2))
        let endpoints = try await helloWorldEndpoints(config: config, logger: .quiet)
        #expect(endpoints.map { $0.map(\.port).sorted() } == [8001, 8002, 8003])
    }
}
