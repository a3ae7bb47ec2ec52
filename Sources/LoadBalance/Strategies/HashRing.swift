/// A consistent-hash ring (Karger et al., 1997) with virtual nodes, laid out for O(1)
/// lookups: a sorted array of positions with the owner packed into the low bits, plus a
/// bucket index over the high bits so a lookup scans one or two entries instead of binary
/// searching a million. Positions are uniformly distributed (they are hashes), which both
/// the bucket index and the two-pass bucket sort rely on.
struct HashRing: Sendable {
    /// Sorted ring positions; the low `indexBits` bits hold the owning candidate's index.
    let entries: ContiguousArray<UInt64>
    let indexMask: UInt64
    let bucketShift: UInt64
    /// `bucketStarts[b]` is the first entry whose top bits are ≥ `b`.
    let bucketStarts: ContiguousArray<UInt32>

    /// Places `virtualNodes × weight / maxWeight` (at least 1) points per candidate, at
    /// positions derived from its identity hash only, so a candidate owns the same arcs in
    /// every snapshot — the property that keeps remapping near 1/n.
    init(candidates: CandidateSet, virtualNodes: Int) {
        let n = candidates.count
        var indexBits: UInt64 = 1
        while (1 << indexBits) < n { indexBits += 1 }
        let mask: UInt64 = (1 << indexBits) - 1
        var maxWeight: UInt32 = 1
        for index in 0..<n { maxWeight = max(maxWeight, candidates.hashWeight(at: index)) }
        var entries = ContiguousArray<UInt64>()
        entries.reserveCapacity(n * virtualNodes)
        for index in 0..<n {
            let share = Double(virtualNodes) * Double(candidates.hashWeight(at: index)) / Double(maxWeight)
            let points = max(1, Int(share.rounded()))
            let identity = candidates.identityHash(at: index)
            for point in 0..<points {
                let position = StableHash.mix(identity &+ UInt64(point + 1) &* StableHash.golden)
                entries.append((position & ~mask) | UInt64(index))
            }
        }
        var bucketBits: UInt64 = 1
        while (1 << bucketBits) < entries.count && bucketBits < 24 { bucketBits += 1 }
        let shift = 64 - bucketBits
        let (sorted, starts) = HashRing.bucketSort(entries, shift: shift, bucketCount: 1 << Int(bucketBits))
        self.entries = sorted
        self.indexMask = mask
        self.bucketShift = shift
        self.bucketStarts = starts
    }

    var count: Int { entries.count }

    /// Position of the first ring point at or after `hash`, wrapping around.
    @inline(__always)
    func position(for hash: UInt64) -> Int {
        let target = hash & ~indexMask
        let bucket = Int(truncatingIfNeeded: target >> bucketShift)
        var position = Int(bucketStarts[bucket])
        let end = Int(bucketStarts[bucket + 1])
        while position < end && entries[position] < target { position += 1 }
        return position == entries.count ? 0 : position
    }

    /// Candidate owning the ring point at `position`.
    @inline(__always)
    func owner(at position: Int) -> Int {
        Int(truncatingIfNeeded: entries[position] & indexMask)
    }

    /// Sorts uniformly distributed ring positions in two linear passes: a counting sort on
    /// the top bits (which also yields the bucket index the lookups need), then an insertion
    /// sort inside each bucket, which holds about one entry. A comparison sort of 160,000
    /// points was most of a rebuild.
    static func bucketSort(_ values: ContiguousArray<UInt64>, shift: UInt64, bucketCount: Int) -> (ContiguousArray<UInt64>, ContiguousArray<UInt32>) {
        var starts = ContiguousArray<UInt32>(repeating: 0, count: bucketCount + 1)
        for value in values { starts[Int(truncatingIfNeeded: value >> shift) + 1] += 1 }
        for bucket in 0..<bucketCount { starts[bucket + 1] += starts[bucket] }
        var next = starts
        var sorted = ContiguousArray<UInt64>(repeating: 0, count: values.count)
        for value in values {
            let bucket = Int(truncatingIfNeeded: value >> shift)
            sorted[Int(next[bucket])] = value
            next[bucket] += 1
        }
        for bucket in 0..<bucketCount {
            let lower = Int(starts[bucket])
            let upper = Int(starts[bucket + 1])
            if upper - lower < 2 { continue }
            for index in (lower + 1)..<upper {
                let value = sorted[index]
                var position = index
                while position > lower && sorted[position - 1] > value {
                    sorted[position] = sorted[position - 1]
                    position -= 1
                }
                sorted[position] = value
            }
        }
        return (sorted, starts)
    }
}
