/// Maps server names to values the way SNI certificate selection needs: the exact name
/// first, then a wildcard covering exactly one label, else nothing (the caller's default).
///
/// Wildcards follow RFC 6125 §6.4.3 as browsers apply it: `*.example.com` matches
/// `www.example.com` but neither `example.com` nor `a.b.example.com`, and only a complete
/// left-most `*` label counts (`w*.example.com` is not indexed). Names compare
/// case-insensitively (RFC 4343) and a trailing dot is ignored.
struct HostnameTable<Value: Sendable>: Sendable {
    private var exact: [String: Value] = [:]
    /// Keyed by the parent domain: `*.example.com` is stored under `example.com`.
    private var wildcard: [String: Value] = [:]

    /// An empty table.
    init() {}

    /// Lower-cases ASCII and drops one trailing dot; nil for an empty name or one with bytes
    /// that cannot appear in a DNS host name.
    static func normalize(_ name: String) -> String? {
        var bytes = Array(name.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253 else { return nil }
        for index in bytes.indices {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes[index] = byte + 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "*"):
                break
            default: return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Adds `pattern` (a name or `*.parent`); returns false when it is not indexable or the
    /// name is already present (the first one added wins, as in HAProxy).
    @discardableResult
    mutating func insert(_ pattern: String, _ value: Value) -> Bool {
        guard let name = Self.normalize(pattern) else { return false }
        if name.hasPrefix("*.") {
            let parent = String(name.dropFirst(2))
            guard !parent.isEmpty, !parent.contains("*"), wildcard[parent] == nil else { return false }
            wildcard[parent] = value
            return true
        }
        guard !name.contains("*"), exact[name] == nil else { return false }
        exact[name] = value
        return true
    }

    /// The value for `serverName`: exact match, then one-label wildcard, else nil.
    func lookup(_ serverName: String) -> Value? {
        guard let name = Self.normalize(serverName), !name.contains("*") else { return nil }
        if let value = exact[name] { return value }
        guard let dot = name.firstIndex(of: ".") else { return nil }
        let parent = name[name.index(after: dot)...]
        guard !parent.isEmpty else { return nil }
        return wildcard[String(parent)]
    }
}
