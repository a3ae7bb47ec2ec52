import Synchronization

@testable import SRVDiscovery

/// Consumes an ``EndpointWatcher`` in a background task and keeps every set it yields with
/// the time it arrived, so tests can wait for a condition with a deadline.
final class WatcherRecorder: Sendable {
    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var events: [EndpointSet]
        var description: String { "timed out waiting for \(what); sets seen: \(events)" }
    }

    private let events: Mutex<[(at: ContinuousClock.Instant, set: EndpointSet)]>
    private let task: Mutex<Task<Void, Never>?>

    private init() {
        events = Mutex([])
        task = Mutex(nil)
    }

    static func start(_ watcher: EndpointWatcher<ContinuousClock>) -> WatcherRecorder {
        let recorder = WatcherRecorder()
        let task = Task {
            for await set in watcher {
                recorder.events.withLock { $0.append((ContinuousClock.now, set)) }
            }
        }
        recorder.task.withLock { $0 = task }
        return recorder
    }

    /// Every set yielded so far, oldest first.
    var sets: [EndpointSet] { events.withLock { $0.map(\.set) } }
    /// Every set with its arrival time.
    var timedSets: [(at: ContinuousClock.Instant, set: EndpointSet)] { events.withLock { $0 } }

    /// Waits until the latest set satisfies `condition`; returns when it arrived.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration, _ condition: (EndpointSet) -> Bool) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let last = events.withLock({ $0.last }), condition(last.set) { return last.at }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TimedOut(what: what, events: sets)
    }

    /// Ends the iteration.
    func stop() {
        task.withLock { $0?.cancel() }
    }
}

/// An ``SRVResolving`` that replays scripted outcomes (the last one repeats) and records when it
/// was asked, for driving the watcher without a network.
final class ScriptedSRVResolver: SRVResolving {
    let counters = ResolverCounters()
    private let script: [Result<SRVAnswer, ResolverError>]
    private let calls = Mutex<[ContinuousClock.Instant]>([])

    init(_ script: [Result<SRVAnswer, ResolverError>]) {
        self.script = script
    }

    var callTimes: [ContinuousClock.Instant] { calls.withLock { $0 } }

    func resolveSRV(_ name: String) async throws(ResolverError) -> SRVAnswer {
        let index = calls.withLock { calls in
            calls.append(.now)
            return calls.count - 1
        }
        guard let outcome = script.indices.contains(index) ? script[index] : script.last else {
            throw .noNameservers
        }
        return try outcome.get()
    }
}

/// Wraps a real ``SRVResolving`` and records when each resolution started, to measure cadence.
final class RecordingSRVResolver: SRVResolving {
    private let inner: any SRVResolving
    private let calls = Mutex<[ContinuousClock.Instant]>([])

    init(_ inner: any SRVResolving) {
        self.inner = inner
    }

    var counters: ResolverCounters { inner.counters }
    var callTimes: [ContinuousClock.Instant] { calls.withLock { $0 } }

    func resolveSRV(_ name: String) async throws(ResolverError) -> SRVAnswer {
        calls.withLock { $0.append(.now) }
        return try await inner.resolveSRV(name)
    }
}
