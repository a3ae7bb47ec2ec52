import Foundation

/// The fixed latency buckets of the stats page's per-interval histograms, and the percentile
/// estimate over them.
///
/// Buckets double from 50 µs (upper bounds 50 µs, 100 µs, … ≈ 26 s, then everything above),
/// so a percentile is known within a factor of two before interpolation and within a few
/// percent after it (log-linear inside the bucket) — enough to tell 2 ms from 20 ms on a
/// chart, with 21 `UInt32` counters per interval and no allocation to record. A sample's bucket
/// is found by counting leading zeros, not by a search.
enum LatencyHistogram {
    /// The first upper bound, nanoseconds.
    static let firstBoundNanoseconds: Int64 = 50_000
    /// Finite buckets (the last counter, index ``bucketCount`` - 1, holds everything longer).
    static let finiteBuckets = 20
    static let bucketCount = finiteBuckets + 1

    /// The upper bound of bucket `index`, nanoseconds (nil for the overflow bucket).
    static func upperBoundNanoseconds(_ index: Int) -> Int64? {
        index < finiteBuckets ? firstBoundNanoseconds << Int64(index) : nil
    }

    /// The bucket a duration falls in: the first whose upper bound is at least it.
    @inline(__always)
    static func bucket(forNanoseconds duration: Int64) -> Int {
        guard duration > firstBoundNanoseconds else { return 0 }
        // ceil(duration / first) - 1, then its bit length = the doubling step reached.
        let steps = UInt64((duration - 1) / firstBoundNanoseconds)
        let index = 64 - steps.leadingZeroBitCount
        return min(index, finiteBuckets)
    }

    /// The `quantile` (0…1) of the samples counted in `counts` (one counter per bucket), in
    /// seconds, interpolated log-linearly inside its bucket; nil when nothing was counted.
    /// A quantile in the overflow bucket is reported as the last finite bound.
    static func quantile(_ quantile: Double, of counts: some Collection<UInt32>) -> Double? {
        let total = counts.reduce(0) { $0 + Int($1) }
        guard total > 0 else { return nil }
        let rank = max(1, quantile * Double(total))
        var below = 0
        for (index, count) in counts.enumerated() where count > 0 {
            let through = below + Int(count)
            if Double(through) >= rank {
                guard let upper = upperBoundNanoseconds(index) else {
                    return Double(firstBoundNanoseconds << Int64(finiteBuckets - 1)) / 1e9
                }
                // Log-linear: each bucket spans one doubling, from upper / 2 to upper.
                let fraction = (rank - Double(below)) / Double(count)
                return Double(upper) / 2 * exp2(fraction) / 1e9
            }
            below = through
        }
        return nil
    }
}
