/// Walker's alias method (Vose's construction): O(n) to build, O(1) per weighted draw —
/// a weighted random pick at 10,000 endpoints costs the same as at 3.
struct AliasTable: Sendable {
    let count: Int
    let isUniform: Bool
    /// Keep the drawn slot when the low 32 random bits are below this (range 0...2^32).
    let thresholds: ContiguousArray<UInt64>
    let aliases: ContiguousArray<UInt32>

    init(count: Int, isUniform: Bool, weight: (Int) -> UInt32) {
        self.count = count
        self.isUniform = isUniform
        guard !isUniform else {
            thresholds = []
            aliases = []
            return
        }
        var total = 0.0
        for index in 0..<count { total += Double(weight(index)) }
        var scaled = ContiguousArray<Double>(repeating: 0, count: count)
        var small: [Int] = []
        var large: [Int] = []
        for index in 0..<count {
            scaled[index] = Double(weight(index)) * Double(count) / total
            if scaled[index] < 1 { small.append(index) } else { large.append(index) }
        }
        var thresholds = ContiguousArray<UInt64>(repeating: 1 << 32, count: count)
        var aliases = ContiguousArray<UInt32>(0..<UInt32(truncatingIfNeeded: count))
        while let lightest = small.popLast() {
            guard let heaviest = large.popLast() else { break }
            thresholds[lightest] = UInt64((scaled[lightest] * 4_294_967_296).rounded())
            aliases[lightest] = UInt32(truncatingIfNeeded: heaviest)
            scaled[heaviest] = (scaled[heaviest] + scaled[lightest]) - 1
            if scaled[heaviest] < 1 { small.append(heaviest) } else { large.append(heaviest) }
        }
        // Whatever is left has probability 1 up to rounding; thresholds stay at 2^32.
        self.thresholds = thresholds
        self.aliases = aliases
    }

    /// Draws a slot from 64 random bits: the high part of `random × count` picks a column,
    /// the low 32 bits flip its biased coin.
    @inline(__always)
    func pick(_ random: UInt64) -> Int {
        let column = StableHash.reduce(random, into: count)
        if isUniform { return column }
        return (random & 0xffff_ffff) < thresholds[column] ? column : Int(aliases[column])
    }
}
