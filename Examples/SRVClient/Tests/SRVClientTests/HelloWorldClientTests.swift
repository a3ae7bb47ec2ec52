import AsyncHTTPClient
import LoadBalance
import Logging
import PeerHarness
import SRVBalancer
import Testing

@testable import SRVClient

/// The SRVBalancer example run for real: BIND `named` on 127.0.0.1 announces three
/// `HelloTask` processes the way AWS Cloud Map announces ECS tasks, and the example's
/// `HelloWorldClient` calls them through AsyncHTTPClient.
@Suite("HelloWorldClient example", .timeLimit(.minutes(2)))
struct HelloWorldClientTests {
    static let service = "_hello-world-service.internal."

    @Test("calls spread over three tasks; a task killed with SIGKILL is ejected and no call fails")
    func spreadThenEjectKilledTask() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        var tasks: [TaskProcess] = []
        for index in 0..<3 { tasks.append(try await TaskProcess.start(name: "task-\(index)")) }
        // ECS has not deregistered the killed task yet: DNS keeps listing it throughout.
        try await named.register(tasks.map {
            CloudMapTask(service: Self.service, taskID: $0.name, address: "127.0.0.1", port: $0.port, ttl: 1)
        })

        let pool = try DiscoveredEndpoints(
            srv: Self.service,
            resolver: .nameservers([try named.address]),  // never the machine's resolver
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let http = HelloWorldClient.makeHTTPClient()
        let client = HelloWorldClient(pool: pool, http: http)
        let killed = tasks[1]
        let killedID = "127.0.0.1:\(killed.port)"

        var before: [String: Int] = [:]
        var after: [String: Int] = [:]
        var failedCalls: [String] = []
        var callsUntilEjected = 0
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pool.run() }
                for _ in 0..<60 {
                    let reply = try await client.hello()
                    #expect(reply.status == 200)
                    before[reply.body, default: 0] += 1
                }
                killed.kill9()
                while callsUntilEjected < 300, !Self.isEjected(killedID, in: pool) {
                    callsUntilEjected += 1
                    do {
                        after[try await client.hello().body, default: 0] += 1
                    } catch {
                        failedCalls.append("\(error)")
                    }
                }
                for _ in 0..<60 {
                    do {
                        after[try await client.hello().body, default: 0] += 1
                    } catch {
                        failedCalls.append("\(error)")
                    }
                }
                group.cancelAll()
            }
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()

        #expect(Set(before.keys) == ["hello from task-0\n", "hello from task-1\n", "hello from task-2\n"], "\(before)")
        #expect(before.values.allSatisfy { $0 >= 5 }, "\(before)")
        #expect(failedCalls == [])
        #expect(Self.isEjected(killedID, in: pool), "not ejected after \(callsUntilEjected) calls")
        #expect(Set(after.keys) == ["hello from task-0\n", "hello from task-2\n"], "\(after)")
        #expect(after.values.reduce(0, +) == callsUntilEjected + 60)
    }

    static func isEjected(_ id: String, in pool: DiscoveredEndpoints) -> Bool {
        guard let status = pool.balancer.status().first(where: { $0.endpoint.id == id }) else { return false }
        if case .down(.ejected) = status.health { return true }
        return false
    }
}
