/// One change the proxy makes to a request's headers before forwarding it, already rendered
/// for this request. The serializer applies edits in order while writing the head, so the
/// parsed head is never rebuilt.
enum HeaderEdit: Sendable, Hashable {
    /// Adds a field, keeping existing ones.
    case add(name: String, value: String)
    /// Removes every field of this name, then adds this one.
    case set(name: String, value: String)
    /// Removes every field of this name.
    case remove(name: String)
    /// Appends `value` to the last field of this name as a list element (`a, b`), or adds the
    /// field when absent — how `X-Forwarded-For` grows hop by hop.
    case append(name: String, value: String)
}
