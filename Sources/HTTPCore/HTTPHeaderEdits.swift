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

    // Names and values are kept as the Strings they came in: a name or value of up to 15
    // UTF-8 bytes, or one from a literal, is stored inline in the String and costs no
    // allocation, where a byte array would cost one each — three edits per forwarded request
    // made that nine allocations.
    struct Addition: Sendable, Hashable {
        var name: String
        var value: String
    }

    /// Remove Connection, the fields it names, and the other hop-by-hop fields
    /// (`HTTPKnownField.isHopByHop`) — what a proxy must do (RFC 9110 §7.6.1).
    public var removeHopByHop: Bool
    /// Names as given; matched case-insensitively.
    private(set) var removals: [String] = []
    private(set) var additions: [Addition] = []

    /// No edits; `removeHopByHop` defaults to true because forwarding is what this is for.
    public init(removeHopByHop: Bool = true) {
        self.removeHopByHop = removeHopByHop
    }

    /// True when serializing with these edits is a plain copy.
    public var isEmpty: Bool { !removeHopByHop && removals.isEmpty && additions.isEmpty }

    /// How many bytes the additions take on the wire (`name: value\r\n` each), so that a
    /// forwarded head's buffer can be sized once.
    var additionBytes: Int {
        additions.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// Makes room for `count` more edits, so that building a request's edits grows each list
    /// once (a proxy builds them for every request).
    public mutating func reserveCapacity(_ count: Int) {
        removals.reserveCapacity(removals.count + count)
        additions.reserveCapacity(additions.count + count)
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func remove(_ name: String) throws(Error) {
        guard Self.isToken(name) else { throw .invalidName(name) }
        removals.append(name)
    }

    /// Replaces every field named `name` by one field with `value`, placed at the end.
    public mutating func set(_ name: String, _ value: String) throws(Error) {
        guard Self.isToken(name) else { throw .invalidName(name) }
        try Self.validate(value: value, name: name)
        removals.append(name)
        if !additions.isEmpty {
            additions.removeAll { ASCII.equalsIgnoringCase($0.name, name) }
        }
        additions.append(Addition(name: name, value: value))
    }

    /// Adds a field line at the end, keeping existing ones. For list fields such as
    /// X-Forwarded-For this extends the list (RFC 9110 §5.3: field lines with the same name
    /// combine into one comma-separated value).
    public mutating func add(_ name: String, _ value: String) throws(Error) {
        guard Self.isToken(name) else { throw .invalidName(name) }
        try Self.validate(value: value, name: name)
        additions.append(Addition(name: name, value: value))
    }

    // Validation reads the UTF-8 views in place, without copying.
    private static func isToken(_ name: String) -> Bool {
        !name.utf8.isEmpty && name.utf8.allSatisfy(ByteClass.isTokenChar)
    }

    private static func validate(value: String, name: String) throws(Error) {
        let bytes = value.utf8
        guard bytes.allSatisfy(ByteClass.isFieldValueChar),
            bytes.first.map({ !ByteClass.isWhitespace($0) }) ?? true,
            bytes.last.map({ !ByteClass.isWhitespace($0) }) ?? true
        else { throw .invalidValue(name: name) }
    }
}
