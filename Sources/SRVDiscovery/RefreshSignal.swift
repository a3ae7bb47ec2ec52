import NIOConcurrencyHelpers

/// A wake-up call for tasks waiting on it: ``signal()`` resumes every current waiter, or, when
/// nobody waits, lets the next ``wait()`` return at once (a signal is never lost between two
/// waits). ``wait()`` also returns when its task is cancelled.
///
/// ``EndpointWatcher/refreshNow()`` uses it to cut a refresh sleep short.
final class RefreshSignal: Sendable {
    private struct State {
        var pending = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    func signal() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            if state.waiters.isEmpty {
                state.pending = true
                return []
            }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        let id = state.withLockedValue { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    // Cancellation is flagged before its handler runs: checking it under the
                    // lock means a waiter is never stored after the handler looked for it.
                    if state.pending || Task.isCancelled {
                        if !Task.isCancelled { state.pending = false }
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
