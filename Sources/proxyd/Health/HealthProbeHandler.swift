import NIOCore

/// The channel handler of an HTTP probe: sends the request once connected, feeds the
/// response to a ``HealthProbeResponseReader`` and reports its verdict, then closes.
///
/// It only performs what the reader decides. The verdict goes to a ``ProbeCompletion``,
/// which keeps the first of the verdict, the timeout and a connect failure.
final class HealthProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: [UInt8]
    private var reader: HealthProbeResponseReader
    private let completion: ProbeCompletion
    private var finished = false

    init(request: [UInt8], reader: HealthProbeResponseReader, completion: ProbeCompletion) {
        self.request = request
        self.reader = reader
        self.completion = completion
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: request.count)
        buffer.writeBytes(request)
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        let buffer = Self.unwrapInboundIn(data)
        if case .done(let result) = reader.read(buffer.readableBytesView) {
            report(result, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { report(reader.endOfInput(), context: context) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !finished { report(.failed(ProbeFailure(connectError: error, timeout: completion.timeout)), context: context) }
    }

    private func report(_ result: ProbeResult, context: ChannelHandlerContext) {
        finished = true
        completion.complete(result)
        context.close(promise: nil)
    }
}
