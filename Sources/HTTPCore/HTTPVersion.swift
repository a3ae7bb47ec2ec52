/// The two HTTP/1.x versions this module speaks (RFC 9112 §2.3); anything else is refused
/// with 505 before a `HTTPVersion` exists.
public enum HTTPVersion: Hashable, Sendable, CustomStringConvertible {
    /// HTTP/1.0: connections close after each message unless `Connection: keep-alive`.
    case http1_0
    /// HTTP/1.1: persistent connections by default.
    case http1_1

    /// "HTTP/1.0" or "HTTP/1.1".
    public var description: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}
