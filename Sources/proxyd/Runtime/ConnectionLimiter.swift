import NIOCore
import NIOConcurrencyHelpers
import Synchronization

/// The process-wide limit on open client connections (`limits.max_connections`), applied as
/// backpressure at accept: at the limit, listeners stop accepting and new clients wait in the
/// kernel's accept backlog instead of being reset — the proxy stays up and serves them as
/// connections close. (A listener can overshoot by the connections accepted in one read
/// burst, at most `maxMessagesPerRead` of the server channel.)
final class ConnectionLimiter: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    /// Listeners that stopped accepting, to wake when a connection closes.
    private let paused = NIOLockedValueBox<[@Sendable () -> Void]>([])

    init(limit: Int) {
        self.limit = limit
    }

    var openConnections: Int { open.load(ordering: .relaxed) }
    var isAtLimit: Bool { openConnections >= limit }

    func opened() {
        open.add(1, ordering: .relaxed)
    }

    func closed() {
        if open.subtract(1, ordering: .relaxed).newValue < limit { wakePausedListeners() }
    }

    /// Registers a paused listener's resume action (it runs on any thread; it hops itself).
    func whenBelowLimit(_ resume: @escaping @Sendable () -> Void) {
        paused.withLockedValue { $0.append(resume) }
        // A connection may have closed between the listener's check and this registration.
        if !isAtLimit { wakePausedListeners() }
    }

    private func wakePausedListeners() {
        let wake = paused.withLockedValue { paused in
            defer { paused = [] }
            return paused
        }
        for resume in wake { resume() }
    }
}

/// The server channel's handler that holds back accepts while the limiter is at its limit
/// and counts every accepted connection until it closes.
final class AcceptLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never

    private let limiter: ConnectionLimiter
    private var readPending = false
    private var context: ChannelHandlerContext?

    init(limiter: ConnectionLimiter) {
        self.limiter = limiter
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = Self.unwrapInboundIn(data)
        limiter.opened()
        let limiter = self.limiter
        child.closeFuture.whenComplete { _ in limiter.closed() }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard limiter.isAtLimit else {
            context.read()
            return
        }
        guard !readPending else { return }
        readPending = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        limiter.whenBelowLimit {
            eventLoop.execute { loopBound.value.resume() }
        }
    }

    private func resume() {
        guard readPending, let context else { return }
        readPending = false
        read(context: context)
    }
}

@available(*, unavailable)
extension AcceptLimitHandler: Sendable {}
