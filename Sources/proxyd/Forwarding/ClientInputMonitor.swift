import NIOCore

/// Sits before the HTTP codec and tells the proxy handler when raw bytes arrive from the
/// client. The codec only reports complete heads, so without this a client trickling a head
/// one byte at a time (slowloris) or stalling in the middle of a body would be invisible to
/// the request-head and client timeouts.
final class ClientInputMonitor: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The handler to tell; set once when the pipeline is built (same channel, same loop).
    weak var observer: ProxyServerHandler?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        observer?.clientBytesArrived()
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ClientInputMonitor: Sendable {}
