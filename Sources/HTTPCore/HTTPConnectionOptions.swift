/// The connection options a message carries in its `Connection` field (RFC 9110 §7.6.1).
public struct HTTPConnectionOptions: OptionSet, Hashable, Sendable {
    /// The option bits.
    public let rawValue: UInt8
    /// Creates options from their bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `close`: the sender will close after this message (RFC 9112 §9.6).
    public static let close = HTTPConnectionOptions(rawValue: 1 << 0)
    /// `keep-alive`: an HTTP/1.0 peer asks to keep the connection (RFC 9112 §9.3, appendix C.2.2).
    public static let keepAlive = HTTPConnectionOptions(rawValue: 1 << 1)
    /// `upgrade`: the Upgrade field is meant for this hop (RFC 9110 §7.8).
    public static let upgrade = HTTPConnectionOptions(rawValue: 1 << 2)
    /// Any other token: it names a further hop-by-hop field that must not be forwarded.
    public static let other = HTTPConnectionOptions(rawValue: 1 << 3)
}
