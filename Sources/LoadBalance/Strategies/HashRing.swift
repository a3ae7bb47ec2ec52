/// A consistent-hash ring (Karger et al., 1997) with virtual nodes, laid out for O(1)
/// lookups: a sorted array of positions with the owner packed into the low bits, plus a
/// bucket index over the high bits so a lookup scans one or two entries instead of binary
/// searching a million.
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
        HashRing.radixSort(&entries)
        var bucketBits: UInt64 = 1
        while (1 << bucketBits) < entries.count && bucketBits < 24 { bucketBits += 1 }
        let shift = 64 - bucketBits
        let bucketCount = 1 << Int(bucketBits)
        var starts = ContiguousArray<UInt32>(repeating: 0, count: bucketCount + 1)
        var position = 0
        for bucket in 0...bucketCount {
            while position < entries.count && Int(entries[position] >> shift) < bucket { position += 1 }
            starts[bucket] = UInt32(position)
        }
        self.entries = entries
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

    /// LSD radix sort, 16 bits per pass: a ring of 160,000 points sorts in a fraction of
    /// what a comparison sort needs, which is most of a rebuild.
    static func radixSort(_ values: inout ContiguousArray<UInt64>) {
        guard values.count > 1 else { return }
        var buffer = ContiguousArray<UInt64>(repeating: 0, count: values.count)
        var counts = ContiguousArray<Int>(repeating: 0, count: 1 << 16)
        for pass in 0..<4 {
            let shift = UInt64(pass * 16)
            for index in counts.indices { counts[index] = 0 }
            for value in values { counts[Int((value >> shift) & 0xffff)] += 1 }
            var sum = 0
            for index in counts.indices {
                let c = counts[index]
                counts[index] = sum
                sum += c
            }
            for value in values {
                let digit = Int((value >> shift) & 0xffff)
                buffer[counts[digit]] = value
                counts[digit] += 1
            }
            swap(&values, &buffer)
        }
    }
}
