/// The last membership changes of one backend — endpoints DNS (or the file) added and
/// removed, with when — for the stats page's timeline. Bounded: the oldest change is
/// forgotten past ``capacity``, so an SRV name that flaps cannot grow it.
///
/// Memory: `capacity` changes of two arrays of endpoint IDs each; with the default 64 and a
/// handful of tasks per change, a few kilobytes per backend.
struct MembershipChangeLog: Sendable, Equatable {
    static let defaultCapacity = 64

    /// One change: what appeared and what left, `address:port` IDs.
    struct Change: Sendable, Equatable, Codable {
        /// Unix seconds.
        var at: Double
        var added: [String]
        var removed: [String]
    }

    let capacity: Int
    /// Oldest first.
    private(set) var changes: [Change] = []

    init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Records the difference between two announced sets; nothing when they hold the same IDs
    /// (a refresh that only confirmed the set, or changed weights).
    mutating func record(from old: [String], to new: [String], at time: Double) {
        let before = Set(old)
        let after = Set(new)
        let added = new.filter { !before.contains($0) }
        let removed = old.filter { !after.contains($0) }
        guard !added.isEmpty || !removed.isEmpty else { return }
        changes.append(Change(at: time, added: added, removed: removed))
        if changes.count > capacity { changes.removeFirst(changes.count - capacity) }
    }
}
