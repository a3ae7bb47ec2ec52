import PeerHarness
import DNSWire
import Logging
import NIOCore
import Synchronization
import Testing

@testable import SRVDiscovery

/// The watcher end to end: real BIND for what a real server does (updates, TTLs, NXDOMAIN,
/// going down), the hostile responder for rotating subsets and junk.
@Suite("EndpointWatcher end to end", .timeLimit(.minutes(1)))
struct WatcherIntegrationTests {
    static let service = "_hello-world-service.internal."

    private func watcher(
        nameserver: HostileResponderOrNamed, configuration: EndpointWatcherConfiguration, timeout: Duration = .milliseconds(300)
    ) throws -> (EndpointWatcher<ContinuousClock>, RecordingSRVResolver) {
        let config = ResolverConfig(nameservers: [try nameserver.address], timeout: timeout, attempts: 1)
        let logger = Logger.quiet
        let srv = RecordingSRVResolver(SRVResolver(resolver: DNSResolver(configuration: config, logger: logger), logger: logger))
        return (EndpointWatcher(name: Self.service, resolver: srv, configuration: configuration, logger: logger), srv)
    }

    @Test("Cloud Map registrations and deregistrations reach the set within TTL + 1 s")
    func followsCloudMap() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        let a = CloudMapTask(taskID: "task-a", address: "127.0.0.2", port: 32768, ttl: 1)
        let b = CloudMapTask(taskID: "task-b", address: "127.0.0.2", port: 32769, ttl: 1)
        let c = CloudMapTask(taskID: "task-c", address: "127.0.0.3", port: 32768, ttl: 1)
        try await named.register([a, b])
        let (watcher, _) = try watcher(nameserver: .named(named), configuration: EndpointWatcherConfiguration(
            minimumRefresh: .milliseconds(100), grace: .zero, failureHold: .seconds(5), emptyHold: .seconds(5)))
        let recorder = WatcherRecorder.start(watcher)
        defer { recorder.stop() }
        try await recorder.waitFor("2 tasks", timeout: .seconds(3)) { $0.count == 2 }

        let registered = ContinuousClock.now
        try await named.register([c])
        let seen = try await recorder.waitFor("task-c", timeout: .seconds(3)) { $0.map(\.port).contains(32768) && $0.count == 3 }
        #expect(seen - registered < .seconds(2))

        let deregistered = ContinuousClock.now
        try await named.deregister([a])
        let gone = try await recorder.waitFor("task-a removed", timeout: .seconds(3)) { set in
            set.count == 2 && !set.contains { $0.target.hasPrefix("task-a") }
        }
        #expect(gone - deregistered < .seconds(2))
        #expect(recorder.sets.map(\.count) == [2, 3, 2])
    }

    @Test("refreshes follow the records' TTL: about every 1 s with TTL 1, every 2 s with TTL 2")
    func ttlCadence() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        try await named.register([CloudMapTask(taskID: "task-a", address: "127.0.0.2", port: 8080, ttl: 1)])
        try await named.register([CloudMapTask(service: "_two.internal.", taskID: "task-b", address: "127.0.0.2", port: 8081, ttl: 2)])
        let configuration = EndpointWatcherConfiguration(minimumRefresh: .milliseconds(100), maximumRefresh: .seconds(30))
        let (one, oneCalls) = try watcher(nameserver: .named(named), configuration: configuration)
        let config = ResolverConfig(nameservers: [try named.address], timeout: .milliseconds(300), attempts: 1)
        let twoCalls = RecordingSRVResolver(SRVResolver(resolver: DNSResolver(configuration: config, logger: Logger.quiet), logger: Logger.quiet))
        let two = EndpointWatcher(name: "_two.internal.", resolver: twoCalls, configuration: configuration, logger: Logger.quiet)
        let recorders = [WatcherRecorder.start(one), WatcherRecorder.start(two)]
        defer { recorders.forEach { $0.stop() } }
        // Three refreshes at TTL 2 s (two intervals) and at least four at TTL 1 s, or give up at 8 s.
        let deadline = ContinuousClock.now + .seconds(12)
        while (twoCalls.callTimes.count < 3 || oneCalls.callTimes.count < 4), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }

        func intervals(_ times: [ContinuousClock.Instant]) -> [Double] {
            zip(times, times.dropFirst()).map { pair in
                let d = pair.1 - pair.0
                return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            }
        }
        let oneIntervals = intervals(oneCalls.callTimes)
        let twoIntervals = intervals(twoCalls.callTimes)
        #expect(oneIntervals.count >= 3, "TTL 1 s: \(oneIntervals)")
        // Never sooner than the TTL; the upper bound leaves room for a loaded machine (the whole
        // suite runs in parallel, with load tests) without accepting a missed refresh.
        #expect(oneIntervals.allSatisfy { $0 > 0.95 && $0 < 1.9 }, "TTL 1 s intervals: \(oneIntervals)")
        #expect(twoIntervals.count >= 2, "TTL 2 s: \(twoIntervals)")
        #expect(twoIntervals.allSatisfy { $0 > 1.95 && $0 < 2.9 }, "TTL 2 s intervals: \(twoIntervals)")
    }

    @Test("after deregistration of every task the set is held through NXDOMAIN for the empty hold, then emptied")
    func nxdomainHold() async throws {
        let named = try await NamedServer.start(negativeTTL: 1)
        defer { named.stop() }
        let task = CloudMapTask(taskID: "task-a", address: "127.0.0.2", port: 8080, ttl: 1)
        try await named.register([task])
        let (watcher, _) = try watcher(nameserver: .named(named), configuration: EndpointWatcherConfiguration(
            minimumRefresh: .milliseconds(100), grace: .zero, failureHold: .seconds(30), emptyHold: .milliseconds(1500)))
        let recorder = WatcherRecorder.start(watcher)
        defer { recorder.stop() }
        try await recorder.waitFor("1 task", timeout: .seconds(3)) { $0.count == 1 }
        let deregistered = ContinuousClock.now
        try await named.deregister([task])
        let emptied = try await recorder.waitFor("empty set", timeout: .seconds(6)) { $0.isEmpty }
        // Seen no earlier than the hold, no later than TTL + negative TTL + hold + 1 s.
        #expect(emptied - deregistered >= .milliseconds(1500))
        #expect(emptied - deregistered < .milliseconds(4500))
        if case .nameError = watcher.statistics().lastError {} else {
            Issue.record("expected NXDOMAIN as the last error, got \(String(describing: watcher.statistics().lastError))")
        }
    }

    @Test("when the server goes down the set is held for the failure hold, timeouts counted, then emptied")
    func serverDownHold() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        try await named.register([CloudMapTask(taskID: "task-a", address: "127.0.0.2", port: 8080, ttl: 1)])
        let (watcher, _) = try watcher(nameserver: .named(named), configuration: EndpointWatcherConfiguration(
            minimumRefresh: .milliseconds(100), maximumRefresh: .milliseconds(400), grace: .zero,
            failureHold: .seconds(2), emptyHold: .seconds(30)), timeout: .milliseconds(200))
        let recorder = WatcherRecorder.start(watcher)
        defer { recorder.stop() }
        try await recorder.waitFor("1 task", timeout: .seconds(3)) { $0.count == 1 }
        let down = ContinuousClock.now
        try await named.shutDown()
        try await Task.sleep(for: .milliseconds(1800))
        #expect(recorder.sets.last?.count == 1, "still held after 1.8 s of outage")
        let emptied = try await recorder.waitFor("empty after hold", timeout: .seconds(5)) { $0.isEmpty }
        #expect(emptied - down >= .seconds(2))
        #expect(emptied - down < .seconds(4))
        #expect(watcher.statistics().resolver.timeouts >= 2)
        #expect(watcher.statistics().failedRefreshes >= 2)
    }

    @Test("after an outage longer than the hold the set comes back as soon as DNS answers again (no backends stuck at zero)")
    func recoversAfterOutage() async throws {
        let serving = Atomic<Bool>(true)
        let responder = try await HostileResponder.start(udp: { query in
            serving.load(ordering: .relaxed) ? [.init(bytes: Replies.taskAnswer(to: query, [1, 2], ttl: 0))] : []
        })
        defer { responder.stop() }
        let (watcher, _) = try watcher(nameserver: .hostile(responder), configuration: EndpointWatcherConfiguration(
            minimumRefresh: .milliseconds(100), maximumRefresh: .milliseconds(300), grace: .zero,
            failureHold: .seconds(1), emptyHold: .seconds(30)), timeout: .milliseconds(150))
        let recorder = WatcherRecorder.start(watcher)
        defer { recorder.stop() }
        try await recorder.waitFor("2 tasks", timeout: .seconds(3)) { $0.count == 2 }
        serving.store(false, ordering: .relaxed)
        try await recorder.waitFor("empty after the hold", timeout: .seconds(4)) { $0.isEmpty }
        let back = ContinuousClock.now
        serving.store(true, ordering: .relaxed)
        let restored = try await recorder.waitFor("2 tasks again", timeout: .seconds(3)) { $0.count == 2 }
        #expect(restored - back < .milliseconds(1500), "retries back off to at most maximumRefresh (300 ms) + timeout")
        #expect(recorder.sets.map(\.count) == [2, 0, 2])
    }

    @Test("a Route53-like server returning a rotating 8-of-12 subset causes no removal")
    func rotatingSubset() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            var generator = SystemRandomNumberGenerator()
            let subset = Array(Array(1...12).shuffled(using: &generator).prefix(8))
            return [.init(bytes: Replies.taskAnswer(to: query, subset, ttl: 0))]
        })
        defer { responder.stop() }
        let (watcher, _) = try watcher(nameserver: .hostile(responder), configuration: EndpointWatcherConfiguration(
            minimumRefresh: .milliseconds(100), maximumRefresh: .milliseconds(100), grace: .seconds(3),
            failureHold: .seconds(10), emptyHold: .seconds(10)))
        let recorder = WatcherRecorder.start(watcher)
        defer { recorder.stop() }
        try await recorder.waitFor("all 12", timeout: .seconds(8)) { $0.count == 12 }
        try await Task.sleep(for: .seconds(2))
        let counts = recorder.sets.map(\.count)
        #expect(counts == counts.sorted(), "sets only grow, never shrink: \(counts)")
        #expect(counts.last == 12)
        #expect(responder.queries.count >= 10, "refreshed every 100 ms for over 2 s")
    }

    @Test("a server that turns hostile changes nothing: the last good set stays, counters show every drop")
    func hostileAfterGood() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            if query.sequence <= 2 { return [.init(bytes: Replies.taskAnswer(to: query, [1, 2], ttl: 0))] }
            return [
                .init(bytes: Replies.answer(to: query, id: query.id &+ 1)),
                .init(bytes: Replies.taskAnswer(to: query, [66]), origin: .otherAddress),
                .init(bytes: Replies.taskAnswer(to: query, [67]), origin: .otherPort),
                .init(bytes: Replies.answer(to: query, answers: Replies.tasks([68]).srv, question: Question(name: Replies.name("_x.internal."), type: .srv))),
                .init(bytes: Replies.garbage),
                .init(bytes: Replies.pointerLoop(to: query)),
                .init(bytes: Replies.truncatedNothing(to: query)),
            ]
        })
        defer { responder.stop() }
        let (watcher, _) = try watcher(nameserver: .hostile(responder), configuration: EndpointWatcherConfiguration(
            minimumRefresh: .milliseconds(100), maximumRefresh: .milliseconds(100), grace: .zero,
            failureHold: .seconds(30), emptyHold: .seconds(30)), timeout: .milliseconds(200))
        let recorder = WatcherRecorder.start(watcher)
        defer { recorder.stop() }
        try await recorder.waitFor("2 tasks", timeout: .seconds(3)) { $0.count == 2 }
        try await Task.sleep(for: .milliseconds(1500))
        #expect(recorder.sets.map { $0.map(\.port) } == [[8001, 8002]])
        let stats = watcher.statistics()
        #expect(stats.failedRefreshes >= 3)
        #expect(stats.resolver.droppedMismatchedAnswers >= 6)
        #expect(stats.resolver.droppedMalformedAnswers >= 4)
        #expect(stats.resolver.truncations >= 1)
        #expect(stats.resolver.tcpRetries >= 1)
    }
}

/// Either kind of test server, for the helper that builds a watcher.
enum HostileResponderOrNamed {
    case named(NamedServer)
    case hostile(HostileResponder)

    var address: SocketAddress {
        get throws {
            switch self {
            case .named(let named): return try named.address
            case .hostile(let responder): return try responder.address
            }
        }
    }
}
