import HTTPCore
import NIOCore

/// One admin connection, after HTTPCore's server codec: reads a request whole (bodies up to
/// ``maxBodyBytes``), lets ``AdminRouter`` answer it off the event loop, writes the answer
/// and closes. One request per connection keeps it simple; scrapers and browsers reconnect.
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPInboundPart
    typealias OutboundOut = HTTPOutboundPart

    static let maxBodyBytes = 65_536
    /// A connection that has not sent a whole request by then is closed (a client holding
    /// admin connections open for nothing; matters when the listener is exposed).
    static let requestTimeout = TimeAmount.seconds(10)

    private let router: AdminRouter
    private var request: AdminRequest?
    private var answered = false
    private var timeout: Scheduled<Void>?

    init(router: AdminRouter) {
        self.router = router
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: Self.requestTimeout) {
            if !self.answered { bound.value.close(promise: nil) }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            request = AdminRequest(method: head.methodName, target: head.target, authorization: head.firstValue("Authorization"), body: [])
        case .body(let bytes):
            request?.body.append(contentsOf: bytes.readableBytesView)
            if (request?.body.count ?? 0) > Self.maxBodyBytes {
                write(.error(413, "admin request bodies are limited to \(Self.maxBodyBytes) bytes"), context: context)
            }
        case .end:
            guard let request else { return }
            answered = true
            timeout?.cancel()
            let router = self.router
            let promise = context.eventLoop.makePromise(of: AdminResponse.self)
            promise.completeWithTask { await router.respond(to: request) }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            promise.futureResult.assumeIsolated().whenSuccess { response in
                self.write(response, context: bound.value)
            }
        case .tunnel:
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParseError, !answered {
            write(.error(parseError.status, "malformed request"), context: context)
        } else {
            context.close(promise: nil)
        }
    }

    private func write(_ response: AdminResponse, context: ChannelHandlerContext) {
        answered = true
        let body = context.channel.allocator.buffer(string: response.body)
        var fields: [(name: String, value: String)] = [
            ("Content-Type", response.contentType), ("Cache-Control", "no-store"), ("Connection", "close"),
        ]
        fields += response.headers
        guard let head = try? HTTPOutgoingHead.response(
            status: response.status, reason: LocalResponse.reason(for: response.status), fields: fields,
            framing: .contentLength(body.readableBytes), allocator: context.channel.allocator)
        else {
            context.close(promise: nil)
            return
        }
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(Self.wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(trailers: nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension AdminHTTPHandler: Sendable {}
