/// The recent history of one endpoint on one event loop, for the stats page's charts: a ring
/// of ``slotCount`` fixed intervals, each with its request count, error count and a
/// ``LatencyHistogram``.
///
/// Recording finds the slot of the current interval by division, clears it if it still holds
/// an older interval, and increments three counters — flat arrays sized once, so no
/// allocation and no lock (the ring belongs to one loop; ``LoopMetrics`` owns it). Intervals
/// nobody recorded in simply keep their old epoch and read as empty.
///
/// Memory: `slotCount × (8 + 4 + 4 + 4 × LatencyHistogram.bucketCount)` bytes, 100 bytes per
/// slot: with the default 60 slots of 5 s (the last five minutes), 6 000 bytes per endpoint
/// per event loop, plus the arrays' headers.
struct RequestHistoryRing: Sendable {
    static let defaultSlotCount = 60
    static let defaultIntervalNanoseconds: Int64 = 5_000_000_000

    let slotCount: Int
    let intervalNanoseconds: Int64
    /// The interval number (`uptime / interval`) each slot holds; -1 for never used.
    private var epochs: [Int64]
    private var requests: [UInt32]
    private var errors: [UInt32]
    /// `slotCount × LatencyHistogram.bucketCount` counters, slot-major.
    private var buckets: [UInt32]

    init(slotCount: Int = defaultSlotCount, intervalNanoseconds: Int64 = defaultIntervalNanoseconds) {
        self.slotCount = max(1, slotCount)
        self.intervalNanoseconds = max(1, intervalNanoseconds)
        epochs = Array(repeating: -1, count: self.slotCount)
        requests = Array(repeating: 0, count: self.slotCount)
        errors = Array(repeating: 0, count: self.slotCount)
        buckets = Array(repeating: 0, count: self.slotCount * LatencyHistogram.bucketCount)
    }

    /// One finished request at monotonic time `now` (NIO's uptime nanoseconds) that took
    /// `durationNanoseconds`; `failed` when it ended in an error the proxy saw (5xx).
    @inline(__always)
    mutating func record(atNanoseconds now: UInt64, durationNanoseconds: Int64, failed: Bool) {
        let epoch = Int64(truncatingIfNeeded: now / UInt64(intervalNanoseconds))
        let slot = Int(epoch % Int64(slotCount))
        if epochs[slot] != epoch {
            epochs[slot] = epoch
            requests[slot] = 0
            errors[slot] = 0
            let base = slot * LatencyHistogram.bucketCount
            for index in base..<(base + LatencyHistogram.bucketCount) { buckets[index] = 0 }
        }
        requests[slot] &+= 1
        if failed { errors[slot] &+= 1 }
        buckets[slot * LatencyHistogram.bucketCount + LatencyHistogram.bucket(forNanoseconds: durationNanoseconds)] &+= 1
    }

    /// The intervals still in the ring as of `now`, oldest first, one per interval of the last
    /// ``slotCount`` (the current, partial one included), empty ones too, so a chart's x axis
    /// is regular.
    func samples(nowNanoseconds now: UInt64) -> [RequestHistorySample] {
        let current = Int64(truncatingIfNeeded: now / UInt64(intervalNanoseconds))
        var result: [RequestHistorySample] = []
        result.reserveCapacity(slotCount)
        for epoch in (current - Int64(slotCount) + 1)...current {
            var sample = RequestHistorySample(epoch: epoch)
            if epoch >= 0 {
                let slot = Int(epoch % Int64(slotCount))
                if epochs[slot] == epoch {
                    sample.requests = Int(requests[slot])
                    sample.errors = Int(errors[slot])
                    let base = slot * LatencyHistogram.bucketCount
                    sample.latencyBuckets = Array(buckets[base..<(base + LatencyHistogram.bucketCount)])
                }
            }
            result.append(sample)
        }
        return result
    }
}

/// One interval of an endpoint's history, summed over event loops by ``merge(_:)``.
struct RequestHistorySample: Sendable, Equatable {
    /// The interval's number: monotonic uptime nanoseconds / the ring's interval.
    var epoch: Int64
    var requests = 0
    var errors = 0
    /// One counter per ``LatencyHistogram`` bucket; empty when nothing was recorded.
    var latencyBuckets: [UInt32] = []

    /// Adds another loop's counts for the same interval.
    mutating func merge(_ other: RequestHistorySample) {
        requests += other.requests
        errors += other.errors
        if latencyBuckets.isEmpty {
            latencyBuckets = other.latencyBuckets
        } else if !other.latencyBuckets.isEmpty {
            for index in latencyBuckets.indices { latencyBuckets[index] &+= other.latencyBuckets[index] }
        }
    }

    /// Latency percentile of the interval, seconds (nil without requests).
    func latency(quantile: Double) -> Double? {
        LatencyHistogram.quantile(quantile, of: latencyBuckets)
    }

    /// Merges per-loop series that cover the same intervals (same ring shape, same `now`).
    static func merged(_ series: [[RequestHistorySample]]) -> [RequestHistorySample] {
        guard var result = series.first else { return [] }
        for other in series.dropFirst() {
            for index in result.indices where index < other.count && other[index].epoch == result[index].epoch {
                result[index].merge(other[index])
            }
        }
        return result
    }
}
