public import NIOCore
import Logging

/// Terminates TLS on a NIO channel: ciphertext from the socket in, plaintext to the handlers
/// after it; their plaintext out, ciphertext to the socket. OpenSSL runs between two memory
/// BIOs (the internal `TLSConnection`); every decision is made by the internal
/// `TLSServerStateMachine`, a value type tested without a channel.
///
/// Rules this handler keeps:
/// - **Handshake**: starts when the channel is active; must finish within
///   ``TLSConfiguration/handshakeTimeout`` or the channel is closed with
///   ``TLSError/handshakeTimeout``. On success it fires ``TLSHandshakeCompleted`` (also
///   readable afterwards as ``session``) before any plaintext.
/// - **Writes before the handshake completes** are buffered and sent, in order, right after it.
///   Each plaintext write becomes one ciphertext write carrying the same promise, so NIO's
///   channel writability (high/low water marks) applies as usual: backpressure is the
///   channel's, nothing is queued here after the handshake.
/// - **Reads**: everything decryptable is passed on as it arrives; `read()` requests go
///   through, so a handler after us that stops reading stops the socket.
/// - **close_notify in**: closes the channel after answering with ours; with
///   `allowHalfClosure` it fires `ChannelEvent.inputClosed` instead and writes still work
///   (RFC 8446 §6.1 makes the two directions independent).
/// - **close(.all)** sends close_notify and closes TCP once it is written (not waiting for the
///   peer's, which RFC 8446 §6.1 allows). **close(.output)** sends close_notify and
///   half-closes TCP.
/// - **Errors** (bad record, not TLS at all, timeout): pending alert sent, ``TLSError`` fired
///   through `errorCaught`, channel closed. Nothing that arrives from the network can trap.
/// - **Idle memory**: OpenSSL releases its record buffers when empty
///   (SSL_MODE_RELEASE_BUFFERS) and drained memory BIOs, which keep their buffers, are
///   replaced by empty ones after every read burst.
public final class TLSServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let tls: TLSServerContext
    private var machine: TLSServerStateMachine
    private var connection: TLSConnection?
    private var bufferedWrites = CircularBuffer<(ByteBuffer, EventLoopPromise<Void>?)>(initialCapacity: 0)
    private var handshakeTimer: Scheduled<Void>?
    private let logger: Logger

    /// What the handshake negotiated; nil until it completes.
    public private(set) var session: TLSSessionInfo?

    /// A handler for one connection of the listener whose shared state is `context`.
    ///
    /// - Parameters:
    ///   - context: the listener's certificates, policy, session cache and ticket keys, shared
    ///     by all its connections (one per listener, not per connection).
    ///   - allowHalfClosure: treat the peer's close_notify as the end of its input
    ///     only (fire `ChannelEvent.inputClosed`) instead of closing the connection.
    public init(context: TLSServerContext, allowHalfClosure: Bool = false) {
        self.tls = context
        self.machine = TLSServerStateMachine(allowHalfClosure: allowHalfClosure)
        self.logger = context.logger
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelHandshakeTimer()
        failBufferedWrites(ChannelError.ioOnClosedChannel)
    }

    public func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        switch machine.channelInactive() {
        case .tearDown(let unclean):
            cancelHandshakeTimer()
            failBufferedWrites(ChannelError.ioOnClosedChannel)
            if unclean { logger.debug("TLS peer closed without close_notify") }
            connection = nil
            context.fireChannelInactive()
        }
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard machine.channelActive() == .startHandshake else { return }
        do {
            connection = try TLSConnection(context: tls)
        } catch {
            fail(context, error)
            return
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        handshakeTimer = context.eventLoop.scheduleTask(in: tls.configuration.handshakeTimeout) {
            let (handler, context) = bound.value
            handler.fail(context, .handshakeTimeout)
        }
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ciphertext = unwrapInboundIn(data)
        switch machine.ciphertextReceived() {
        case .discard:
            return
        case .continueHandshake:
            connection?.receive(ciphertext)
            advanceHandshake(context)
        case .decrypt:
            connection?.receive(ciphertext)
            decrypt(context)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // With autoRead off nobody after us asks for reads before the handshake is done.
        if machine.isHandshaking { context.read() }
        connection?.releaseIdleBuffers()
        context.fireChannelReadComplete()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            switch machine.transportInputClosed() {
            case .closeUnclean:
                logger.debug("TCP input closed before TLS close_notify")
                context.fireErrorCaught(TLSError.uncleanShutdown)
                context.close(promise: nil)
            case .none:
                break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func advanceHandshake(_ context: ChannelHandlerContext) {
        guard let connection else { return }
        let result = connection.handshake()
        switch result {
        case .wantRead:
            writeCiphertext(context, flush: true)
        case .failed(let reason):
            fail(context, .handshakeFailed(reason: reason))
        case .complete:
            writeCiphertext(context, flush: true)
            guard case .publish(let flushBuffered) = machine.handshakeCompleted() else { return }
            cancelHandshakeTimer()
            let info = connection.sessionInfo
            session = info
            logger.trace("TLS handshake completed", metadata: [
                "tls.version": "\(info.version)", "tls.cipher": "\(info.cipher)",
                "tls.sni": "\(info.serverName ?? "-")", "tls.alpn": "\(info.alpnProtocol ?? "-")",
                "tls.resumed": "\(info.resumed)",
            ])
            context.fireUserInboundEventTriggered(TLSHandshakeCompleted(session: info))
            while let (plaintext, promise) = bufferedWrites.popFirst() {
                write(context, plaintext, promise)
            }
            if flushBuffered { context.flush() }
            decrypt(context)
        }
    }

    private func decrypt(_ context: ChannelHandlerContext) {
        while machine.ciphertextReceived() == .decrypt, let connection, connection.hasBufferedInput {
            var buffer = context.channel.allocator.buffer(capacity: 0)
            switch connection.read(into: &buffer) {
            case .bytes:
                context.fireChannelRead(wrapInboundOut(buffer))
            case .wantRead:
                writeCiphertext(context, flush: true)
                return
            case .closeNotify:
                writeCiphertext(context, flush: true)
                closeNotifyReceived(context)
                return
            case .failed(let reason):
                fail(context, .protocolError(reason: reason))
                return
            }
        }
        // Post-handshake messages (e.g. a KeyUpdate answer) may be waiting.
        writeCiphertext(context, flush: true)
    }

    private func closeNotifyReceived(_ context: ChannelHandlerContext) {
        switch machine.closeNotifyReceived() {
        case .fireInputClosed:
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        case .replyAndClose:
            sendCloseNotify(context, thenClose: .all, promise: nil)
        case .close:
            context.close(promise: nil)
        case .none:
            break
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        write(context, unwrapOutboundIn(data), promise)
    }

    private func write(_ context: ChannelHandlerContext, _ plaintext: ByteBuffer, _ promise: EventLoopPromise<Void>?) {
        switch machine.write() {
        case .buffer:
            bufferedWrites.append((plaintext, promise))
        case .fail(.outputClosed):
            promise?.fail(ChannelError.outputClosed)
        case .fail(.closed):
            promise?.fail(ChannelError.ioOnClosedChannel)
        case .encrypt:
            guard let connection else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                return
            }
            switch connection.write(plaintext) {
            case .success:
                if let ciphertext = connection.takeCiphertext(allocator: context.channel.allocator) {
                    context.write(wrapOutboundOut(ciphertext), promise: promise)
                } else {
                    promise?.succeed()
                }
            case .failure(let error):
                promise?.fail(error)
                fail(context, error)
            }
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch machine.flush() {
        case .flush: context.flush()
        case .deferred: break
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        let machineMode: TLSServerStateMachine.CloseMode
        switch mode {
        case .all: machineMode = .all
        case .output: machineMode = .output
        case .input: machineMode = .input
        }
        switch machine.close(machineMode) {
        case .closeNow:
            context.close(mode: .all, promise: promise)
        case .sendCloseNotifyThenClose:
            sendCloseNotify(context, thenClose: .all, promise: promise)
        case .sendCloseNotifyThenCloseOutput:
            sendCloseNotify(context, thenClose: .output, promise: promise)
        case .forward:
            context.close(mode: mode, promise: promise)
        case .failAlreadyClosed:
            promise?.fail(ChannelError.alreadyClosed)
        }
    }

    // MARK: Helpers

    /// Writes close_notify, then closes (`mode`) once it has been written.
    private func sendCloseNotify(_ context: ChannelHandlerContext, thenClose mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard let connection else {
            context.close(mode: mode, promise: promise)
            return
        }
        connection.shutdown()
        guard let ciphertext = connection.takeCiphertext(allocator: context.channel.allocator) else {
            context.close(mode: mode, promise: promise)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ciphertext), promise: written)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            bound.value.close(mode: mode, promise: promise)
        }
    }

    private func writeCiphertext(_ context: ChannelHandlerContext, flush: Bool) {
        guard let connection, let ciphertext = connection.takeCiphertext(allocator: context.channel.allocator) else { return }
        context.write(wrapOutboundOut(ciphertext), promise: nil)
        if flush { context.flush() }
    }

    private func fail(_ context: ChannelHandlerContext, _ error: TLSError) {
        guard case .closeWithError(let error) = machine.failed(error) else { return }
        cancelHandshakeTimer()
        // An alert OpenSSL queued (e.g. protocol_version) goes out before the close.
        writeCiphertext(context, flush: true)
        logger.debug("TLS connection failed", metadata: ["error": "\(error)"])
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func cancelHandshakeTimer() {
        handshakeTimer?.cancel()
        handshakeTimer = nil
    }

    private func failBufferedWrites(_ error: any Error) {
        while let (_, promise) = bufferedWrites.popFirst() {
            promise?.fail(error)
        }
    }
}

@available(*, unavailable)
extension TLSServerHandler: Sendable {}

extension ChannelPipeline.SynchronousOperations {
    /// The TLS session of this channel's ``TLSServerHandler``: nil before the handshake
    /// completes; throws if the pipeline has no such handler.
    public func tlsSession() throws -> TLSSessionInfo? {
        try handler(type: TLSServerHandler.self).session
    }
}
