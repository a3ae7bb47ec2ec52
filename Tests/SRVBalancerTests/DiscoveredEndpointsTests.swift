import LoadBalance
import Logging
import PeerHarness
import ServiceLifecycle
import SRVDiscovery
import Synchronization
import Testing

@testable import SRVBalancer

/// The pool end to end: a real BIND `named` on 127.0.0.1 announcing greeting backends on
/// loopback, calls made through `withEndpoint`.
@Suite("DiscoveredEndpoints end to end", .timeLimit(.minutes(1)))
struct DiscoveredEndpointsTests {
    @Test("calls spread over every task the SRV name lists, and each call completes its lease")
    func spreadsOverTasks() async throws {
        let fixture = try await PoolFixture.start(tasks: 3)
        let pool = try fixture.pool()
        var replies: [String: Int] = [:]
        try await withRunning(pool) {
            for _ in 0..<60 { replies[try await PoolFixture.greet(pool), default: 0] += 1 }
        }
        await fixture.stop()
        #expect(Set(replies.keys) == ["task-0", "task-1", "task-2"], "\(replies)")
        #expect(replies.values.reduce(0, +) == 60)
        #expect(replies.values.allSatisfy { $0 >= 5 }, "\(replies)")
        #expect(pool.balancer.status().map(\.inFlight) == [0, 0, 0])
        #expect(fixture.backends.map(\.connections) == ["task-0", "task-1", "task-2"].map { replies[$0] ?? 0 })
    }

    @Test("a task that refuses connections is ejected after 5 failed attempts, and no call fails: each is retried on another task")
    func deadTaskIsEjectedWithoutFailedCalls() async throws {
        let fixture = try await PoolFixture.start(tasks: 3)
        let pool = try fixture.pool()
        let dead = fixture.backends[1]
        let deadID = "127.0.0.1:\(dead.port)"
        var failedCalls = 0
        var attemptsOnDead = 0
        var replies: [String: Int] = [:]
        try await withRunning(pool) {
            // Warm up, so the membership is there and every task answered once.
            for _ in 0..<9 { _ = try await PoolFixture.greet(pool) }
            await dead.stop()  // DNS still lists it, as for a task ECS has just killed
            var calls = 0
            while calls < 300, !Self.isEjected(deadID, in: pool) {
                calls += 1
                do {
                    let reply = try await pool.withEndpoint { endpoint in
                        if endpoint.id == deadID { attemptsOnDead += 1 }
                        return try await GreetingBackend.call(host: endpoint.address, port: endpoint.port)
                    }
                    replies[reply, default: 0] += 1
                } catch {
                    failedCalls += 1
                }
            }
            for _ in 0..<30 {
                do { replies[try await PoolFixture.greet(pool), default: 0] += 1 } catch { failedCalls += 1 }
            }
        }
        await fixture.stop()
        #expect(failedCalls == 0)
        #expect(Self.isEjected(deadID, in: pool))
        // OutlierDetection's default: 5 connection failures in a row eject.
        #expect(attemptsOnDead == 5)
        #expect(replies["task-1"] == nil)
        #expect(Set(replies.keys) == ["task-0", "task-2"])
        #expect(pool.balancer.status().first { $0.endpoint.id == deadID }?.ejections == 1)
    }

    @Test("with maximumAttempts 1 a failed attempt is the call's error, and it still counts toward ejection")
    func noRetryWhenOneAttempt() async throws {
        let fixture = try await PoolFixture.start(tasks: 1)
        let pool = try fixture.pool(PoolFixture.configuration(maximumAttempts: 1))
        try await withRunning(pool) {
            _ = try await PoolFixture.greet(pool)
            await fixture.backends[0].stop()
            await #expect(throws: (any Error).self) { try await PoolFixture.greet(pool) }
        }
        await fixture.stop()
        #expect(pool.balancer.status().first?.inFlight == 0)
    }

    @Test("when every task fails, the call throws the last attempt's error after trying each task once")
    func everyTaskFails() async throws {
        let fixture = try await PoolFixture.start(tasks: 2)
        let pool = try fixture.pool()
        let attempts = Mutex<[String]>([])
        struct Refused: Error {}
        try await withRunning(pool) {
            _ = try await PoolFixture.greet(pool)
            await #expect(throws: Refused.self) {
                try await pool.withEndpoint { endpoint -> String in
                    attempts.withLock { $0.append(endpoint.id) }
                    throw Refused()
                }
            }
        }
        await fixture.stop()
        let tried = attempts.withLock { $0 }
        #expect(tried.count == 2)
        #expect(Set(tried) == Set(fixture.backends.map { "127.0.0.1:\($0.port)" }))
    }

    @Test("a 5xx result classified as a server error is returned, not retried")
    func serverErrorIsNotRetried() async throws {
        let fixture = try await PoolFixture.start(tasks: 2)
        let pool = try fixture.pool()
        let attempts = Atomic<Int>(0)
        try await withRunning(pool) {
            _ = try await PoolFixture.greet(pool)
            let status = try await pool.withEndpoint(classify: { $0 >= 500 ? .serverError : .success }) { _ in
                attempts.add(1, ordering: .relaxed)
                return 503
            }
            #expect(status == 503)
        }
        await fixture.stop()
        #expect(attempts.load(ordering: .relaxed) == 1)
    }

    @Test("iterating yields the current set, then DNS changes: a registered task gets calls, a deregistered one none")
    func followsMembership() async throws {
        let fixture = try await PoolFixture.start(tasks: 2)
        let pool = try fixture.pool()
        let late = try await GreetingBackend.start(name: "task-late")
        let lateTask = CloudMapTask(taskID: "task-late", address: "127.0.0.1", port: late.port, ttl: 1)
        var counts: [Int] = []
        try await withRunning(pool) {
            var iterator = pool.makeAsyncIterator()
            counts.append(try #require(await iterator.next()).count)
            try await fixture.named.register([lateTask])
            counts.append(try #require(await iterator.next()).count)
            var replies: Set<String> = []
            for _ in 0..<60 { replies.insert(try await PoolFixture.greet(pool)) }
            #expect(replies == ["task-0", "task-1", "task-late"])
            try await fixture.named.deregister([fixture.tasks[0]])
            counts.append(try #require(await iterator.next()).count)
            replies = []
            for _ in 0..<30 { replies.insert(try await PoolFixture.greet(pool)) }
            #expect(replies == ["task-1", "task-late"])
        }
        await late.stop()
        await fixture.stop()
        #expect(counts == [2, 3, 2])
    }

    @Test("a call made before the first DNS answer waits for it")
    func callWaitsForFirstAnswer() async throws {
        let fixture = try await PoolFixture.start(tasks: 1)
        let pool = try fixture.pool()
        #expect(pool.current == nil)
        let reply = try await withThrowingTaskGroup(of: String?.self) { group in
            // The call starts first; run() a moment later.
            group.addTask { try await PoolFixture.greet(pool) }
            try await Task.sleep(for: .milliseconds(200))
            group.addTask { try await pool.run(); return nil }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await fixture.stop()
        #expect(reply == "task-0")
    }

    @Test("without run() a call fails after firstAnswerTimeout with an error that says so")
    func callWithoutRun() async throws {
        let fixture = try await PoolFixture.start(tasks: 1)
        let pool = try fixture.pool(PoolFixture.configuration(firstAnswerTimeout: .milliseconds(300)))
        let started = ContinuousClock.now
        await #expect(throws: DiscoveredEndpointsError.noAnswerYet(name: PoolFixture.service, waited: .milliseconds(300))) {
            try await PoolFixture.greet(pool)
        }
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        await fixture.stop()
    }

    @Test("run() returns on cancellation: iterations end and calls go on with the last membership")
    func cancellationStops() async throws {
        let fixture = try await PoolFixture.start(tasks: 2)
        let pool = try fixture.pool()
        let iterating = Task {
            var sets = 0
            for await _ in pool { sets += 1 }
            return sets
        }
        let runner = Task { try await pool.run() }
        while pool.current == nil { try await Task.sleep(for: .milliseconds(20)) }
        // Cancel run() only: the iteration must end by itself (or the time limit fails the test).
        runner.cancel()
        try await runner.value
        #expect(await iterating.value == 1)
        // After run() returned: the last membership still serves calls.
        var replies: Set<String> = []
        for _ in 0..<30 { replies.insert(try await PoolFixture.greet(pool)) }
        #expect(replies == ["task-0", "task-1"])
        await #expect(throws: DiscoveredEndpointsError.alreadyStarted(name: PoolFixture.service)) { try await pool.run() }
        await fixture.stop()
    }

    @Test("in a ServiceGroup the pool stops at graceful shutdown")
    func serviceGroupShutdown() async throws {
        let fixture = try await PoolFixture.start(tasks: 1)
        let pool = try fixture.pool()
        let group = ServiceGroup(services: [pool], logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await PoolFixture.greet(pool) == "task-0")
            let started = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            #expect(ContinuousClock.now - started < .seconds(5))
        }
        var iterator = pool.makeAsyncIterator()
        // Finished: the iterator yields the last set, then ends at once.
        #expect(await iterator.next()?.count == 1)
        #expect(await iterator.next() == nil)
        await fixture.stop()
    }

    @Test("a second run() while the first runs throws alreadyStarted")
    func runTwice() async throws {
        let fixture = try await PoolFixture.start(tasks: 1)
        let pool = try fixture.pool()
        try await withRunning(pool) {
            while pool.current == nil { try await Task.sleep(for: .milliseconds(20)) }
            await #expect(throws: DiscoveredEndpointsError.alreadyStarted(name: PoolFixture.service)) { try await pool.run() }
        }
        await fixture.stop()
    }

    static func isEjected(_ id: String, in pool: DiscoveredEndpoints) -> Bool {
        guard let status = pool.balancer.status().first(where: { $0.endpoint.id == id }) else { return false }
        if case .down(.ejected) = status.health { return true }
        return false
    }
}
