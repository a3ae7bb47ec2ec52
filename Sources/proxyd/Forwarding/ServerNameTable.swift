import LoadBalance

/// HAProxy-style server names for a backend's endpoints, the names the runtime API
/// (`set server www-backend/srv1 state drain`) and the JSON admin API
/// (`POST /api/backends/www-backend/endpoints/srv1/drain`) both accept beside the
/// endpoint's `address:port` ID.
///
/// HAProxy names `server-template srv 3 …`'s slots `srv1`…`srv3`. proxyd has no slots — it
/// follows every SRV target — so each endpoint gets a slot number when it first appears
/// (the lowest free one), keeps it while it is announced, and keeps it after it leaves while
/// an operator override (drain, maintenance, weight) still names it, so a name never moves to
/// another endpoint under an operator's feet. Fixed servers keep their names from the file
/// and their position as slot number.
struct ServerNameTable: Sendable, Hashable {
    /// `server-template`'s prefix; nil for fixed servers (named in the file).
    let prefix: String?
    /// Slot number (1-based, HAProxy's `srv_id`) by endpoint ID.
    private(set) var slots: [String: Int] = [:]
    /// Names of fixed servers by endpoint ID.
    private var fixedNames: [String: String] = [:]

    init(prefix: String?) {
        self.prefix = prefix
    }

    /// Follows a new announced set: new endpoints take the lowest free slots (in announced
    /// order), endpoints gone and not in `pinned` free theirs.
    mutating func update(announced: [LoadBalance.Endpoint], pinned: Set<String>) {
        let present = Set(announced.map(\.id))
        if prefix == nil {
            slots = [:]
            fixedNames = [:]
            for (index, endpoint) in announced.enumerated() {
                slots[endpoint.id] = index + 1
                fixedNames[endpoint.id] = endpoint.target ?? endpoint.id
            }
            return
        }
        slots = slots.filter { present.contains($0.key) || pinned.contains($0.key) }
        var used = Set(slots.values)
        var next = 1
        for endpoint in announced where slots[endpoint.id] == nil {
            while used.contains(next) { next += 1 }
            slots[endpoint.id] = next
            used.insert(next)
        }
    }

    /// The server name of an endpoint, or nil when it has none.
    func name(of id: String) -> String? {
        if let fixed = fixedNames[id] { return fixed }
        guard let prefix, let slot = slots[id] else { return nil }
        return prefix + String(slot)
    }

    /// The endpoint ID a server name stands for.
    func id(named name: String) -> String? {
        if prefix == nil { return fixedNames.first { $0.value == name }?.key }
        guard let prefix, name.hasPrefix(prefix), let slot = Int(name.dropFirst(prefix.count)), String(slot) == name.dropFirst(prefix.count) else { return nil }
        return slots.first { $0.value == slot }?.key
    }
}
