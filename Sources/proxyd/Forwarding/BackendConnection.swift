import HTTPCore
import NIOCore
import NIOPosix

/// Receives what a backend connection delivers while it serves an exchange.
protocol BackendResponseSink: AnyObject {
    func backendPart(_ part: HTTPInboundPart)
    func backendReadComplete()
    /// The connection closed or failed before or during a response.
    func backendFailed(_ error: (any Error)?)
    func backendWritabilityChanged(isWritable: Bool)
}

/// One keep-alive HTTP/1.1 connection to an endpoint: the channel (with HTTPCore's client
/// codec) and the handler that hands responses to whichever client exchange owns it now.
final class BackendConnection: PoolableConnection {
    let channel: any Channel
    let handler: BackendResponseHandler
    let endpointID: String

    init(channel: any Channel, handler: BackendResponseHandler, endpointID: String) {
        self.channel = channel
        self.handler = handler
        self.endpointID = endpointID
    }

    var isReusable: Bool { channel.isActive && handler.isCleanWhileIdle }

    func close() { channel.close(promise: nil) }

    /// Connects to `host:port` on `eventLoop` — the client channel's own loop, so the two
    /// channels of an exchange never cross threads.
    static func connect(host: String, port: Int, endpointID: String, on eventLoop: any EventLoop,
                        timeout: TimeAmount, limits: HTTPParserLimits) -> EventLoopFuture<BackendConnection> {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPClientCodec(limits: limits))
                    try channel.pipeline.syncOperations.addHandler(BackendResponseHandler())
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: BackendResponseHandler.self)
                return BackendConnection(channel: channel, handler: handler, endpointID: endpointID)
            }
    }
}

/// The last handler of a backend channel: passes response parts to the owning exchange,
/// gates reads for backpressure, and notices a pooled connection that the backend closed or
/// that talks while it should be idle (then it is never reused).
final class BackendResponseHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPInboundPart
    typealias OutboundIn = HTTPOutboundPart
    typealias OutboundOut = HTTPOutboundPart

    /// The exchange using this connection; nil while idle in the pool.
    weak var owner: (any BackendResponseSink)?
    /// False once anything arrived while idle.
    private(set) var isCleanWhileIdle = true
    private var readsPaused = false
    private var readPending = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = Self.unwrapInboundIn(data)
        guard let owner else {
            isCleanWhileIdle = false
            context.close(promise: nil)
            return
        }
        owner.backendPart(part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        owner?.backendReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isCleanWhileIdle = false
        let owner = self.owner
        self.owner = nil
        owner?.backendFailed(nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        isCleanWhileIdle = false
        let owner = self.owner
        self.owner = nil
        owner?.backendFailed(error)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        owner?.backendWritabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Stops (or resumes) reading from the backend while the client cannot take more.
    func setReadsPaused(_ paused: Bool) {
        readsPaused = paused
        if !paused, readPending, let context {
            readPending = false
            context.read()
        }
    }

    func write(_ part: HTTPOutboundPart, flush: Bool) {
        guard let context else { return }
        context.write(Self.wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }
}

@available(*, unavailable)
extension BackendResponseHandler: Sendable {}
