public import NIOCore

/// What the codecs deliver inbound: requests on a server channel, responses on a client channel.
///
/// The head is stored indirectly so the enum stays as small as a `ByteBuffer` and body parts
/// fit in `NIOAny`'s inline storage: one allocation per head, none per body part.
public enum HTTPInboundPart: Sendable, Hashable {
    /// A message head.
    indirect case head(HTTPMessageHead)
    /// Body bytes: a slice of the received buffer, not a copy (chunk framing removed).
    case body(ByteBuffer)
    /// The message is complete. `trailers` holds the chunked trailer field lines, if any,
    /// each ending in CRLF (validated like header fields).
    case end(trailers: ByteBuffer?)
    /// After CONNECT or an Upgrade was accepted: raw bytes of the other protocol.
    case tunnel(ByteBuffer)
}
