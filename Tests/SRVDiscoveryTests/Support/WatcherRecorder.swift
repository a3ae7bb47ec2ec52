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
