import Synchronization

/// A clock that only moves when a test says so; sleepers wake when it passes their deadline.
/// Lets the watcher's driver be tested at TTLs of minutes without waiting.
final class ManualClock: Clock, Sendable {
    typealias Instant = TestInstant
    typealias Duration = Swift.Duration

    private struct Sleeper {
        var deadline: TestInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = TestInstant.zero
        var sleepers: [Sleeper] = []
    }

    private let state = Mutex(State())

    var now: TestInstant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on this clock.
    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: TestInstant, tolerance: Duration?) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let wakeNow = state.withLock { state -> Bool in
                if deadline <= state.now { return true }
                state.sleepers.append(Sleeper(deadline: deadline, continuation: continuation))
                return false
            }
            if wakeNow { continuation.resume() }
        }
    }

    /// Moves time forward by `duration` and wakes every sleeper whose deadline has passed.
    func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
