public import NIOCore

/// The client side of HTTP/1.1 on a channel: `HTTPOutboundPart` (requests) → bytes out;
/// bytes in → `HTTPInboundPart` (responses).
///
/// A thin handler over `HTTPClientCodecStateMachine`; the rules it keeps:
/// - Each response is framed knowing the method of the request it answers (HEAD responses
///   have no body, a 2xx to CONNECT starts a tunnel), with pipelined requests matched in order.
/// - Body and tunnel parts are slices of the received buffers (no copies).
/// - A response delimited by close ends with `.end` when the server closes; a response cut
///   short is reported as `incompleteMessage`.
/// - A parse error is fired as `HTTPParseError` and decoding stops for good (answer 502).
public final class HTTPClientCodec: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = HTTPInboundPart
    public typealias OutboundIn = HTTPOutboundPart
    public typealias OutboundOut = ByteBuffer

    private var machine: HTTPClientCodecStateMachine
    private var decoder = HTTPInboundDecoder()
    private var isDecoding = false
    private var failed = false

    /// Creates a codec enforcing `limits`.
    public init(limits: HTTPParserLimits = .default) {
        machine = HTTPClientCodecStateMachine(limits: limits)
    }

    /// Decodes the received bytes and fires the parts they complete.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        decoder.append(unwrapInboundIn(data))
        guard !isDecoding else { return }
        isDecoding = true
        defer { isDecoding = false }
        while true {
            let part: HTTPInboundPart?
            do {
                part = try decoder.next(&machine)
            } catch {
                failed = true
                context.fireErrorCaught(error)
                return
            }
            guard let part else { return }
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// Ends a message delimited by close, or reports one cut short, then passes the event on.
    public func channelInactive(context: ChannelHandlerContext) {
        if !failed {
            do {
                if try machine.endOfInput(unconsumed: decoder.unconsumed) {
                    context.fireChannelRead(wrapInboundOut(.end(trailers: nil)))
                }
            } catch {
                context.fireErrorCaught(error)
            }
        }
        context.fireChannelInactive()
    }

    /// Serializes an outbound part (chunk-encoding bodies when the head said chunked).
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            machine.requestHeadWritten(head)
            context.write(wrapOutboundOut(head.bytes), promise: promise)
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
extension HTTPClientCodec: Sendable {}
