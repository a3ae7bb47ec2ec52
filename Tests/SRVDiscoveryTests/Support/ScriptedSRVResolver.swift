import Synchronization

@testable import SRVDiscovery

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
