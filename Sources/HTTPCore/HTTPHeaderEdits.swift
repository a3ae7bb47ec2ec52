/// Header changes to apply while serializing a parsed head for forwarding: remove, set
/// (replace every copy) and add, plus the standard removal of hop-by-hop fields.
///
/// Names and values are validated when the edit is made (a value with CR or LF would let a
/// rule inject a header), so serializing never fails. Build an edit list once per rule set
/// and copy it per request; the per-request value (e.g. the client address) is one `add`.
public struct HTTPHeaderEdits: Sendable, Hashable {
    /// Why an edit was refused.
    public enum Error: Swift.Error, Hashable, Sendable {
        /// The name is empty or not a token (RFC 9110 §5.1).
        case invalidName(String)
        /// The value holds CR, LF, NUL or another CTL (RFC 9110 §5.5).
        case invalidValue(name: String)
    }

    struct Addition: Sendable, Hashable {
        var name: [UInt8]
        var value: [UInt8]
    }

    /// Remove Connection, the fields it names, and the other hop-by-hop fields
    /// (`HTTPKnownField.isHopByHop`) — what a proxy must do (RFC 9110 §7.6.1).
    public var removeHopByHop: Bool
    private(set) var removals: [[UInt8]] = []
    private(set) var additions: [Addition] = []

    /// No edits; `removeHopByHop` defaults to true because forwarding is what this is for.
    public init(removeHopByHop: Bool = true) {
        self.removeHopByHop = removeHopByHop
    }

    /// True when serializing with these edits is a plain copy.
    public var isEmpty: Bool { !removeHopByHop && removals.isEmpty && additions.isEmpty }

    /// Makes room for `count` more edits, so that building a request's edits grows each list
    /// once (a proxy builds them for every request).
    public mutating func reserveCapacity(_ count: Int) {
        removals.reserveCapacity(removals.count + count)
        additions.reserveCapacity(additions.count + count)
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func remove(_ name: String) throws(Error) {
        removals.append(try Self.loweredName(name))
    }

    /// Replaces every field named `name` by one field with `value`, placed at the end.
    public mutating func set(_ name: String, _ value: String) throws(Error) {
        let lowered = try Self.loweredName(name)
        let bytes = try Self.validValue(value, name: name)
        removals.append(lowered)
        if !additions.isEmpty {
            additions.removeAll { Self.equalsIgnoringCase($0.name, lowered: lowered) }
        }
        additions.append(Addition(name: Array(name.utf8), value: bytes))
    }

    /// Adds a field line at the end, keeping existing ones. For list fields such as
    /// X-Forwarded-For this extends the list (RFC 9110 §5.3: field lines with the same name
    /// combine into one comma-separated value).
    public mutating func add(_ name: String, _ value: String) throws(Error) {
        guard Self.isToken(name) else { throw .invalidName(name) }
        additions.append(Addition(name: Array(name.utf8), value: try Self.validValue(value, name: name)))
    }

    // Validation reads the name's UTF-8 view in place: an edit costs one array for the name
    // it keeps, not a copy to check and another to keep.
    private static func isToken(_ name: String) -> Bool {
        !name.utf8.isEmpty && name.utf8.allSatisfy(ByteClass.isTokenChar)
    }

    private static func loweredName(_ name: String) throws(Error) -> [UInt8] {
        guard isToken(name) else { throw .invalidName(name) }
        return name.utf8.map(ByteClass.lower)
    }

    private static func equalsIgnoringCase(_ name: [UInt8], lowered: [UInt8]) -> Bool {
        name.count == lowered.count && zip(name, lowered).allSatisfy { ByteClass.lower($0) == $1 }
    }

    private static func validValue(_ value: String, name: String) throws(Error) -> [UInt8] {
        let bytes = Array(value.utf8)
        guard bytes.allSatisfy(ByteClass.isFieldValueChar),
            bytes.first.map({ !ByteClass.isWhitespace($0) }) ?? true,
            bytes.last.map({ !ByteClass.isWhitespace($0) }) ?? true
        else { throw .invalidValue(name: name) }
        return bytes
    }
}
