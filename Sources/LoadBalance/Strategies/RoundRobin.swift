import Synchronization

/// Smooth weighted round robin: every endpoint gets exactly its weight's share of each
/// cycle, interleaved rather than in bursts; with equal weights it is plain rotation.
///
/// The cycle is computed once per snapshot (so a pick is one array read): each endpoint's
/// `k`-th turn is placed at virtual time `(k + ½) / weight` and turns are taken in that
/// order — the same spreading goal as nginx's smooth weighted round robin, but O(log n) per
/// slot to build instead of O(n) per pick. Weights are reduced by their gcd; a cycle longer
/// than `maxScheduleLength` is scaled down to it, keeping shares within one slot.
public struct RoundRobin: BalancingStrategy, Hashable, ValidatedStrategy {
    /// Upper bound of the precomputed cycle (memory: 4 bytes per slot).
    public var maxScheduleLength: Int

    /// Creates the strategy.
    public init(maxScheduleLength: Int = 1 << 16) {
        self.maxScheduleLength = maxScheduleLength
    }

    /// Builds the cycle for `candidates`.
    public func makePlan(for candidates: CandidateSet) -> any PickPlan {
        RoundRobinPlan(candidates: candidates, maxLength: max(maxScheduleLength, candidates.count))
    }

    func validate() throws(LoadBalancerError) {
        if maxScheduleLength < 1 {
            throw .invalidStrategy(strategy: "RoundRobin", reason: "maxScheduleLength must be at least 1, got \(maxScheduleLength)")
        }
    }
}

extension BalancingStrategy where Self == RoundRobin {
    /// Smooth weighted round robin (plain rotation with equal weights).
    public static var roundRobin: RoundRobin { RoundRobin() }
}

/// The precomputed cycle of a ``RoundRobin`` snapshot.
final class RoundRobinPlan: PickPlan {
    let count: UInt64
    /// Candidate index per slot; empty when weights are uniform (slot = index).
    let schedule: ContiguousArray<UInt32>
    /// Cursor for the balancer-wide pick path (pickers bring their own).
    let cursor = Atomic<UInt64>(0)

    init(candidates: CandidateSet, maxLength: Int) {
        count = UInt64(candidates.count)
        schedule = candidates.hasUniformWeights ? [] : RoundRobinPlan.cycle(candidates: candidates, maxLength: maxLength)
    }

    func pick(_ input: PickInput, in candidates: CandidateSet) -> Int {
        let ticket = input.ticket ?? cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        if schedule.isEmpty {
            return Int(truncatingIfNeeded: ticket % count)
        }
        return Int(truncatingIfNeeded: schedule[Int(truncatingIfNeeded: ticket % UInt64(schedule.count))])
    }

    /// One cycle: each candidate appears `weight / gcd` times (scaled to `maxLength`),
    /// ordered by virtual deadline `(2k + 1) / (2 × weight)`, ties to the lower index.
    static func cycle(candidates: CandidateSet, maxLength: Int) -> ContiguousArray<UInt32> {
        let n = candidates.count
        var divisor: UInt64 = 0
        for index in 0..<n { divisor = gcd(divisor, UInt64(candidates.weight(at: index))) }
        var weights = ContiguousArray<UInt64>(repeating: 0, count: n)
        var total: UInt64 = 0
        for index in 0..<n {
            weights[index] = UInt64(candidates.weight(at: index)) / max(divisor, 1)
            total += weights[index]
        }
        if total > UInt64(maxLength) {
            total = 0
            for index in 0..<n {
                weights[index] = max(1, weights[index] * UInt64(maxLength) / UInt64(candidates.totalWeight / max(divisor, 1)))
                total += weights[index]
            }
        }
        // Binary min-heap of candidate indices keyed by their next deadline.
        var taken = ContiguousArray<UInt64>(repeating: 0, count: n)
        var heap = ContiguousArray<Int>(0..<n)
        func earlier(_ a: Int, _ b: Int) -> Bool {
            let lhs = (2 * taken[a] + 1) * weights[b]
            let rhs = (2 * taken[b] + 1) * weights[a]
            return lhs < rhs || (lhs == rhs && a < b)
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                if left >= n { return }
                var child = left
                if left + 1 < n && earlier(heap[left + 1], heap[left]) { child = left + 1 }
                if !earlier(heap[child], heap[parent]) { return }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        for index in stride(from: n / 2 - 1, through: 0, by: -1) { siftDown(index) }
        var schedule = ContiguousArray<UInt32>()
        schedule.reserveCapacity(Int(total))
        for _ in 0..<total {
            let next = heap[0]
            schedule.append(UInt32(truncatingIfNeeded: next))
            taken[next] += 1
            siftDown(0)
        }
        return schedule
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
