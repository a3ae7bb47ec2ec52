/// Whether a parser reads requests (server side) or responses (client side).
public enum HTTPMessageKind: Hashable, Sendable {
    /// request-line, then fields (RFC 9112 §3).
    case request
    /// status-line, then fields (RFC 9112 §4).
    case response
}
