public import NIOCore

/// The server side of HTTP/1.1 on a channel: bytes in → `HTTPInboundPart` (requests);
/// `HTTPOutboundPart` (responses) → bytes out.
///
/// A thin handler over `HTTPServerCodecStateMachine`; the rules it keeps:
/// - Body and tunnel parts are slices of the received buffers (no copies).
/// - Pipelined requests are delivered in order; the application answers them in order.
/// - After a CONNECT or Upgrade request, decoding pauses until the response head is written:
///   a 101 (Upgrade) or 2xx (CONNECT) turns the rest of the stream into `.tunnel` parts,
///   anything else resumes HTTP parsing.
/// - A parse error is fired as `HTTPParseError` (its `status` is what to answer) and
///   decoding stops for good: the application answers and closes.
/// - When the client closes, or shuts its write side (`ChannelEvent.inputClosed`, on a channel
///   that allows remote half-closure), an incomplete request is reported as
///   `incompleteMessage`; the event itself is passed on after every complete request before
///   it was fired, so the application can still answer those (RFC 9112 §9.6).
/// - Bytes after a request with `Connection: close` are dropped silently (RFC 9112 §9.6).
public final class HTTPServerCodec: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = HTTPInboundPart
    public typealias OutboundIn = HTTPOutboundPart
    public typealias OutboundOut = ByteBuffer

    private var machine: HTTPServerCodecStateMachine
    private var decoder = HTTPInboundDecoder()
    private var isDecoding = false
    private var failed = false

    /// Whether received bytes are held that do not yet form a part: the start of a request
    /// head, a chunk-size line, a trailer section. A server uses it to tell a connection that
    /// is idle from one whose client is sending a head slowly (slowloris).
    public var hasBufferedInput: Bool { decoder.unconsumed > 0 }

    /// Creates a codec enforcing `limits`.
    public init(limits: HTTPParserLimits = .default) {
        machine = HTTPServerCodecStateMachine(limits: limits)
    }

    /// Decodes the received bytes and fires the parts they complete.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        decoder.append(unwrapInboundIn(data))
        decodeParts(context: context)
    }

    private func decodeParts(context: ChannelHandlerContext) {
        guard !isDecoding, !failed else { return }
        isDecoding = true
        defer { isDecoding = false }
        while true {
            let part: HTTPInboundPart?
            do {
                part = try decoder.next(&machine)
            } catch {
                failed = true
                // RFC 9112 §9.6: after a request with `Connection: close` the server must not
                // process further requests; they are dropped, not answered with 400.
                if error.kind != .dataAfterClose { context.fireErrorCaught(error) }
                return
            }
            guard let part else { return }
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// Passes the event on.
    public func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    /// Ends a message delimited by close, or reports one cut short, then passes the event on.
    public func channelInactive(context: ChannelHandlerContext) {
        inputEnded(context: context)
        context.fireChannelInactive()
    }

    /// The client half-closed: the same as for a close, and the connection stays writable.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            inputEnded(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// No byte follows: a request still open is cut short (`incompleteMessage`).
    private func inputEnded(context: ChannelHandlerContext) {
        guard !failed else { return }
        do {
            if try machine.endOfInput(unconsumed: decoder.unconsumed) {
                context.fireChannelRead(wrapInboundOut(.end(trailers: nil)))
            }
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }

    /// Serializes an outbound part (chunk-encoding bodies when the head said chunked).
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            let after = machine.responseHeadWritten(head)
            context.write(wrapOutboundOut(head.bytes), promise: promise)
            if after == .resumeDecoding { decodeParts(context: context) }
        case .body(let body):
            HTTPBodyWriter.writeBody(body, framing: machine.outboundFraming, context: context, promise: promise)
        case .end(let trailers):
            HTTPBodyWriter.writeEnd(trailers: trailers, framing: machine.outboundFraming, context: context, promise: promise)
        case .tunnel(let bytes):
            context.write(wrapOutboundOut(bytes), promise: promise)
        }
    }
}

// Channel handlers are used on their channel's event loop only (NIO's threading model); they
// are never shared across threads, which is all `Sendable` conformance would promise here.
@available(*, unavailable)
extension HTTPServerCodec: Sendable {}
