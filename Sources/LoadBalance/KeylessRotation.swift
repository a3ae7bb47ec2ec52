import Synchronization

/// What a hashing plan (ring hash, Maglev, bounded loads, source hash) does for a request
/// without a hash key: it takes turns, as HAProxy does — `balance hdr(NAME)`, `url_param` and
/// `rdp-cookie` fall back to round robin when the request lacks what they hash. (A fixed
/// stand-in key, such as the hash of an empty string, would send every such request to one
/// endpoint.)
///
/// With equal weights the turns are an exact rotation, like ``RoundRobin``'s. With unequal
/// weights the plan's own weighted structure (ring, table) is walked at the points of a
/// golden-ratio (Weyl) sequence, which visits it evenly: each endpoint gets its weight's
/// share, interleaved, without a second per-snapshot schedule.
///
/// The turn is the picker's own rotation position (``PickInput/ticket``); the balancer-wide
/// pick path, which has none, uses this plan's shared cursor.
final class KeylessRotation: Sendable {
    private let count: UInt64
    private let hasUniformWeights: Bool
    private let cursor = Atomic<UInt64>(0)

    init(candidates: CandidateSet) {
        count = UInt64(candidates.count)
        hasUniformWeights = candidates.hasUniformWeights
    }

    /// The candidate for a keyless pick. `weighted` maps a point of the 64-bit hash space to
    /// a candidate through the plan's own structure (used only with unequal weights).
    @inline(__always)
    func pick(_ input: PickInput, weighted: (UInt64) -> Int) -> Int {
        let turn = self.turn(input)
        if hasUniformWeights { return Int(truncatingIfNeeded: turn % count) }
        return weighted(turn &* StableHash.golden)
    }

    /// The turn's point of the 64-bit hash space, for a plan that walks on from it (bounded
    /// loads): successive turns spread evenly over the plan's structure whatever the weights.
    @inline(__always)
    func point(_ input: PickInput) -> UInt64 {
        turn(input) &* StableHash.golden
    }

    @inline(__always)
    private func turn(_ input: PickInput) -> UInt64 {
        input.ticket ?? cursor.wrappingAdd(1, ordering: .relaxed).oldValue
    }
}
