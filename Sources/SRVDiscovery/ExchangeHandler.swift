import DNSWire
import Logging
import NIOCore

/// What one exchange with one nameserver produced.
enum ExchangeResult: Sendable {
    /// A matching answer.
    case message(Message)
    /// A matching answer with TC set that did not decode; retry over TCP.
    case truncatedUndecodable
    /// No matching answer before the deadline.
    case timeout
    /// The socket failed (connection refused over TCP, closed early, ...).
    case transportFailure(String)
}

/// The channel side of one query: sends it when the channel becomes active, starts the
/// deadline, hands every received message to ``ResponseMatcher`` and completes the promise
/// with the first one it accepts, then closes the channel. Drops everything else, counting and
/// logging each, and keeps waiting: the deadline is not reset by junk. Used for UDP
/// (`AddressedEnvelope`) and, after ``DNSLengthFrameDecoder``, for TCP.
///
/// Runs only on its channel's event loop; the promise is completed at most once by it (the
/// caller may complete it too when the channel never opened; NIO ignores a second completion).
final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let matcher: ResponseMatcher
    private let promise: EventLoopPromise<ExchangeResult>
    private let query: [UInt8]
    private let server: SocketAddress
    private let timeout: TimeAmount
    private let isStream: Bool
    private let counters: ResolverCounters
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    private var completed = false
    private weak var channel: (any Channel)?

    /// `isStream`: TCP (length-prefixed, any socket error ends the exchange); otherwise UDP,
    /// where an ICMP error does not end the wait, only the deadline does.
    init(
        matcher: ResponseMatcher, promise: EventLoopPromise<ExchangeResult>, query: [UInt8], server: SocketAddress,
        timeout: TimeAmount, isStream: Bool, counters: ResolverCounters, logger: Logger
    ) {
        self.matcher = matcher
        self.promise = promise
        self.query = query
        self.server = server
        self.timeout = timeout
        self.isStream = isStream
        self.counters = counters
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        channel = context.channel
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.complete(.timeout)
        }
        var buffer = context.channel.allocator.buffer(capacity: query.count + 2)
        if isStream {
            buffer.writeInteger(UInt16(truncatingIfNeeded: query.count))
            buffer.writeBytes(query)
            context.writeAndFlush(wrapOutbound(buffer), promise: nil)
        } else {
            buffer.writeBytes(query)
            context.writeAndFlush(NIOAny(AddressedEnvelope(remoteAddress: server, data: buffer)), promise: nil)
        }
        context.fireChannelActive()
    }

    private func wrapOutbound(_ buffer: ByteBuffer) -> NIOAny { NIOAny(buffer) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard !completed else { return }
        switch matcher.check(envelope.data.readableBytesView, from: envelope.remoteAddress) {
        case .accept(let message):
            complete(.message(message))
        case .truncatedUndecodable:
            complete(.truncatedUndecodable)
        case .wrongSource(let source):
            counters.countMismatched()
            logger.warning("dropped DNS answer from an address that was not queried", metadata: [
                "from": "\(source.map { "\($0)" } ?? "?")", "expected": "\(server)",
                "question": "\(matcher.question.name) \(matcher.question.type)",
            ])
        case .mismatched(let reason):
            counters.countMismatched()
            logger.warning("dropped mismatched DNS answer", metadata: [
                "reason": "\(reason)", "question": "\(matcher.question.name) \(matcher.question.type)",
            ])
        case .malformed(let error):
            counters.countMalformed()
            logger.debug("dropped undecodable DNS answer", metadata: [
                "error": "\(error)", "bytes": "\(envelope.data.readableBytes)",
            ])
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.transportFailure("connection closed before an answer"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("DNS socket error", metadata: ["error": "\(error)", "server": "\(server)"])
        if isStream {
            complete(.transportFailure("\(error)"))
        }
    }

    /// Completes the exchange once, stops the deadline and closes the channel.
    private func complete(_ result: ExchangeResult) {
        guard !completed else { return }
        completed = true
        deadline?.cancel()
        promise.succeed(result)
        channel?.close(promise: nil)
    }
}
