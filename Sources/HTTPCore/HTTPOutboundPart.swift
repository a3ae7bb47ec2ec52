public import NIOCore

/// What the codecs accept outbound.
public enum HTTPOutboundPart: Sendable, Hashable {
    /// A serialized head and the framing its body parts will use (indirect: keeps body parts
    /// small enough for `NIOAny`'s inline storage).
    indirect case head(HTTPOutgoingHead)
    /// Body bytes; chunk-encoded by the codec when the head's framing is chunked.
    case body(ByteBuffer)
    /// End of the message; trailers (complete field lines) only for chunked bodies.
    case end(trailers: ByteBuffer?)
    /// Raw bytes after a switch to a tunnel.
    case tunnel(ByteBuffer)
}
