/// Why a TLS connection ended abnormally. Fired through `errorCaught` by ``TLSServerHandler``
/// just before it closes the channel, so handlers after it can count and log TLS failures.
public enum TLSError: Error, Hashable, CustomStringConvertible {
    /// The client did not complete its handshake within
    /// ``TLSConfiguration/handshakeTimeout``.
    case handshakeTimeout
    /// OpenSSL rejected the handshake: the reason is OpenSSL's error queue, e.g.
    /// `error:0A000102:SSL routines::unsupported protocol` for a TLS 1.0 client, or
    /// `wrong version number` for bytes that are not TLS at all.
    case handshakeFailed(reason: String)
    /// A record after the handshake failed to decrypt or parse (bad MAC, unexpected message).
    case protocolError(reason: String)
    /// The peer closed TCP without sending `close_notify` (RFC 8446 §6.1): the data received
    /// may have been truncated.
    case uncleanShutdown
    /// OpenSSL could not allocate the per-connection `SSL` object.
    case connectionSetupFailed(reason: String)

    public var description: String {
        switch self {
        case .handshakeTimeout: "TLS handshake timed out"
        case .handshakeFailed(let reason): "TLS handshake failed: \(reason)"
        case .protocolError(let reason): "TLS protocol error: \(reason)"
        case .uncleanShutdown: "peer closed the connection without close_notify"
        case .connectionSetupFailed(let reason): "cannot create a TLS connection: \(reason)"
        }
    }
}
