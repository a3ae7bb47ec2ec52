import NIOCore

/// One runtime API connection: splits the input into lines, hands each to
/// ``RuntimeAPISession`` and performs the steps it returns (write, let ``RuntimeAPIExecutor``
/// answer off the loop, close). The rules live in the session; this handler only keeps
/// lines in order:
///
/// - one line's steps run to the end before the next line is looked at (an interactive
///   client may send several lines at once);
/// - a client that half-closes after a line without its line feed still gets that line
///   answered (`printf 'show info' | socat …`);
/// - a line longer than ``maxLineBytes`` closes the connection; so does the idle timeout
///   (`stats timeout`, an `IdleStateHandler` before this one).
final class RuntimeAPIHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maxLineBytes = 65_536

    private var session: RuntimeAPISession
    private let executor: RuntimeAPIExecutor
    private var pending: [UInt8] = []
    private var busy = false
    private var inputClosed = false
    private var closing = false

    init(level: StatsSocketConfiguration.Level, executor: RuntimeAPIExecutor) {
        self.session = RuntimeAPISession(level: level)
        self.executor = executor
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data)
        pending.append(contentsOf: bytes.readableBytesView)
        nextLine(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else if case ChannelEvent.inputClosed = event {
            inputClosed = true
            nextLine(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Takes the next whole line (or, once the input closed, what is left) and runs it.
    private func nextLine(context: ChannelHandlerContext) {
        guard !busy, !closing else { return }
        let line: [UInt8]
        if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
            line = Array(pending[..<end])
            pending.removeFirst(end + 1)
        } else if pending.count > Self.maxLineBytes {
            close(context: context)
            return
        } else if inputClosed {
            guard !pending.isEmpty else {
                close(context: context)
                return
            }
            line = pending
            pending = []
        } else {
            return
        }
        busy = true
        perform(session.receive(line: String(decoding: line, as: UTF8.self))[...], context: context)
    }

    private func perform(_ steps: ArraySlice<RuntimeAPISession.Step>, context: ChannelHandlerContext) {
        var steps = steps
        while let step = steps.popFirst() {
            switch step {
            case .write(let text):
                context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
            case .close:
                close(context: context)
                return
            case .execute(let command, let suffix):
                let executor = self.executor
                let promise = context.eventLoop.makePromise(of: String.self)
                promise.completeWithTask { await executor.answer(command) }
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let rest = steps
                promise.futureResult.assumeIsolated().whenSuccess { answer in
                    let context = bound.value
                    context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(string: answer + suffix)), promise: nil)
                    self.perform(rest, context: context)
                }
                return
            }
        }
        busy = false
        nextLine(context: context)
    }

    private func close(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RuntimeAPIHandler: Sendable {}
