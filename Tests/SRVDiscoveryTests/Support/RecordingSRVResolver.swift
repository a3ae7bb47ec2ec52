import Synchronization

@testable import SRVDiscovery

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
