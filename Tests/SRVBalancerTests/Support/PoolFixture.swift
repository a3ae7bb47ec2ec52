import LoadBalance
import PeerHarness
import SRVBalancer
import SRVDiscovery

/// A real BIND `named` on 127.0.0.1 announcing `tasks` greeting backends under the Cloud Map
/// service name, and a pool configured to ask only that named (never the machine's resolver).
struct PoolFixture {
    static let service = "_hello-world-service.internal."

    let named: NamedServer
    let backends: [GreetingBackend]
    let tasks: [CloudMapTask]

    static func start(tasks count: Int) async throws -> PoolFixture {
        let named = try await NamedServer.start()
        var backends: [GreetingBackend] = []
        var tasks: [CloudMapTask] = []
        for index in 0..<count {
            let backend = try await GreetingBackend.start(name: "task-\(index)")
            backends.append(backend)
            tasks.append(CloudMapTask(taskID: "task-\(index)", address: "127.0.0.1", port: backend.port, ttl: 1))
        }
        try await named.register(tasks)
        return PoolFixture(named: named, backends: backends, tasks: tasks)
    }

    /// Refreshes every 100 ms at the soonest, so membership tests wait fractions of a second.
    static func configuration(
        maximumAttempts: Int = 3, firstAnswerTimeout: Duration = .seconds(10), grace: Duration = .zero
    ) -> DiscoveredEndpointsConfiguration {
        DiscoveredEndpointsConfiguration(
            refresh: EndpointWatcherConfiguration(minimumRefresh: .milliseconds(100), grace: grace),
            maximumAttempts: maximumAttempts,
            firstAnswerTimeout: firstAnswerTimeout)
    }

    func resolver() throws -> ResolverSource {
        .configuration(ResolverConfig(nameservers: [try named.address], timeout: .milliseconds(500), attempts: 2))
    }

    func pool(_ configuration: DiscoveredEndpointsConfiguration = PoolFixture.configuration()) throws -> DiscoveredEndpoints {
        try DiscoveredEndpoints(srv: Self.service, resolver: try resolver(), configuration: configuration)
    }

    func stop() async {
        for backend in backends { await backend.stop() }
        named.stop()
    }

    /// One call through the pool: the name of the task that answered.
    static func greet(_ pool: DiscoveredEndpoints) async throws -> String {
        try await pool.withEndpoint { endpoint in
            try await GreetingBackend.call(host: endpoint.address, port: endpoint.port)
        }
    }
}

/// Runs `body` while `pool.run()` runs in a child task, then cancels it and waits for it.
func withRunning<T: Sendable>(_ pool: DiscoveredEndpoints, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await pool.run() }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}
