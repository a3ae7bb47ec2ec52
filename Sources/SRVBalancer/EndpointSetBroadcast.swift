import NIOConcurrencyHelpers
import SRVDiscovery

/// The latest endpoint set of a pool and everyone waiting for a newer one.
///
/// Rules: a reader that has seen generation `g` gets the latest set once the generation is
/// above `g` — intermediate sets a slow reader missed are skipped, since only the current
/// membership matters to a consumer of endpoint sets. ``finish()`` ends every wait (the
/// pool's `run()` returned); a waiting task that is cancelled returns at once. Continuations
/// are resumed outside the lock.
final class EndpointSetBroadcast: Sendable {
    /// A published set and its generation (1 for the first set).
    struct Published: Sendable {
        var set: EndpointSet
        var generation: UInt64
    }

    private struct State {
        var latest: Published?
        var isFinished = false
        var hasStarted = false
        var nextWaiterID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Marks the producer as started; false when it had started before (a pool runs once).
    func start() -> Bool {
        state.withLockedValue { state in
            if state.hasStarted { return false }
            state.hasStarted = true
            return true
        }
    }

    /// Makes `set` the latest and wakes every waiter.
    func publish(_ set: EndpointSet) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.latest = Published(set: set, generation: (state.latest?.generation ?? 0) + 1)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Ends every current and future wait for a newer set.
    func finish() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.isFinished = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The latest set, if any was published.
    var latest: Published? { state.withLockedValue { $0.latest } }

    /// Whether the producer has finished.
    var isFinished: Bool { state.withLockedValue { $0.isFinished } }

    /// The latest set once its generation is above `seen`; nil when the producer finished
    /// first or the calling task is cancelled.
    func published(after seen: UInt64) async -> Published? {
        while true {
            let id: Int
            switch state.withLockedValue({ state -> (Published?, Bool, Int) in
                defer { state.nextWaiterID += 1 }
                return (state.latest, state.isFinished, state.nextWaiterID)
            }) {
            case (let latest?, _, _) where latest.generation > seen:
                return latest
            case (_, true, _):
                return nil
            case (_, false, let waiterID):
                id = waiterID
            }
            if Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLockedValue { state -> Bool in
                        // Cancellation is flagged before its handler runs: checking it under
                        // the lock means a waiter is never stored after the handler looked.
                        if Task.isCancelled || state.isFinished || (state.latest?.generation ?? 0) > seen {
                            return true
                        }
                        state.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLockedValue { $0.waiters.removeValue(forKey: id) }
                waiter?.resume()
            }
        }
    }
}
