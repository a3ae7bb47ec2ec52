import Logging
import Testing

@testable import SRVDiscovery

@Suite("EndpointWatcher driver with a scripted resolver", .timeLimit(.minutes(1)))
struct EndpointWatcherTests {
    private let fast = EndpointWatcherConfiguration(
        minimumRefresh: .milliseconds(20), maximumRefresh: .milliseconds(20),
        grace: .zero, failureHold: .seconds(10), emptyHold: .seconds(10))

    @Test("yields the first set and then only sets that changed")
    func yieldsOnlyChanges() async throws {
        let resolver = ScriptedSRVResolver([
            .success(EndpointFactory.answer([1, 2])),
            .success(EndpointFactory.answer([1, 2], ttl: 9)),
            .success(EndpointFactory.answer([1, 2])),
            .success(EndpointFactory.answer([1, 2, 3])),
        ])
        let watcher = EndpointWatcher(name: "_svc.internal.", resolver: resolver, configuration: fast, logger: Logger.quiet)
        var iterator = watcher.makeAsyncIterator()
        let first = await iterator.next()
        let second = await iterator.next()
        #expect(first?.count == 2)
        #expect(second?.count == 3)
        #expect(resolver.callTimes.count == 4)
        let stats = watcher.statistics()
        #expect(stats.successfulRefreshes == 4)
        #expect(stats.updatesPublished == 2)
        #expect(stats.lastSuccessfulRefresh != nil)
    }

    @Test("failures are held: no set is yielded, statistics count them and keep the error")
    func failuresCounted() async throws {
        let resolver = ScriptedSRVResolver([
            .success(EndpointFactory.answer([1])),
            .failure(.timeout(name: "_svc.internal.", attempts: 2)),
            .failure(.serverFailure(nameserver: "ns")),
            .success(EndpointFactory.answer([1, 2])),
        ])
        let watcher = EndpointWatcher(name: "_svc.internal.", resolver: resolver, configuration: fast, logger: Logger.quiet)
        var iterator = watcher.makeAsyncIterator()
        #expect(await iterator.next()?.count == 1)
        #expect(await iterator.next()?.count == 2)
        let stats = watcher.statistics()
        #expect(stats.failedRefreshes == 2)
        #expect(stats.successfulRefreshes == 2)
        #expect(stats.lastError == nil)
    }

    @Test("cancelling the consuming task ends the iteration")
    func cancellationEnds() async throws {
        let resolver = ScriptedSRVResolver([.success(EndpointFactory.answer([1]))])
        let watcher = EndpointWatcher(name: "_svc.internal.", resolver: resolver, configuration: fast, logger: Logger.quiet)
        let task = Task {
            var count = 0
            for await _ in watcher { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        #expect(await task.value == 1)
    }
}

@Suite("EndpointWatcher driver on an injected clock", .timeLimit(.minutes(1)))
struct EndpointWatcherClockTests {
    /// Polls (in real time, briefly) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition(), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("the next refresh waits for the TTL on the injected clock, not on wall time")
    func refreshAtTTLOnInjectedClock() async throws {
        let clock = ManualClock()
        let resolver = ScriptedSRVResolver([
            .success(EndpointFactory.answer([1], ttl: 30)),
            .success(EndpointFactory.answer([1, 2], ttl: 30)),
        ])
        let watcher = EndpointWatcher(
            name: "_svc.internal.", resolver: resolver,
            configuration: EndpointWatcherConfiguration(minimumRefresh: .seconds(1), maximumRefresh: .seconds(300)),
            clock: clock, logger: .quiet)
        let sets = Task {
            var iterator = watcher.makeAsyncIterator()
            let first = await iterator.next()
            let second = await iterator.next()
            return [first?.count, second?.count]
        }
        try await eventually { clock.sleeperCount == 1 }
        #expect(resolver.callTimes.count == 1)
        clock.advance(by: .seconds(29))
        try await Task.sleep(for: .milliseconds(50))
        #expect(resolver.callTimes.count == 1, "not refreshed before the TTL")
        clock.advance(by: .seconds(1))
        #expect(await sets.value == [1, 2])
        #expect(resolver.callTimes.count == 2)
        #expect(watcher.statistics().lastSuccessfulRefresh == .seconds(30))
    }

    @Test("refreshNow() resolves at once instead of waiting for a long TTL, and the answer goes through the same rules")
    func refreshNowWakesTheIterator() async throws {
        let resolver = ScriptedSRVResolver([
            .success(EndpointFactory.answer([1, 2], ttl: 3600)),
            .success(EndpointFactory.answer([1, 2, 3], ttl: 3600)),
        ])
        let slow = EndpointWatcherConfiguration(minimumRefresh: .seconds(600), maximumRefresh: .seconds(3600), grace: .zero)
        let watcher = EndpointWatcher(name: "_svc.internal.", resolver: resolver, configuration: slow, logger: Logger.quiet)
        let task = Task {
            var iterator = watcher.makeAsyncIterator()
            let first = await iterator.next()
            let second = await iterator.next()
            return (first?.count, second?.count)
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(resolver.callTimes.count == 1)
        let asked = ContinuousClock.now
        watcher.refreshNow()
        let (first, second) = await task.value
        #expect(first == 2 && second == 3)
        #expect(resolver.callTimes.count == 2)
        // Far below the 600 s minimum refresh, with slack for a loaded machine.
        #expect(ContinuousClock.now - asked < .seconds(30))
    }

    @Test("a refreshNow() while nobody waits is kept for the next wait, not lost")
    func refreshNowBeforeWaiting() async throws {
        let resolver = ScriptedSRVResolver([
            .success(EndpointFactory.answer([1], ttl: 3600)),
            .success(EndpointFactory.answer([1, 2], ttl: 3600)),
        ])
        let slow = EndpointWatcherConfiguration(minimumRefresh: .seconds(600), maximumRefresh: .seconds(3600), grace: .zero)
        let watcher = EndpointWatcher(name: "_svc.internal.", resolver: resolver, configuration: slow, logger: Logger.quiet)
        watcher.refreshNow()
        var iterator = watcher.makeAsyncIterator()
        #expect(await iterator.next()?.count == 1)
        #expect(await iterator.next()?.count == 2)
    }
}
