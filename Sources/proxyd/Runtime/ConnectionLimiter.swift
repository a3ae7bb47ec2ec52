import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// A limit on open client connections — `limits.max_connections` over every listener, or a
/// listener's own `max_connections` — applied as backpressure at accept: at the limit,
/// listeners stop accepting and new clients wait in the kernel's accept backlog instead of
/// being reset — the proxy stays up and serves them as connections close. (A listener can
/// overshoot by the connections accepted in one read burst, at most `maxMessagesPerRead` of
/// the server channel.)
final class ConnectionLimiter: Sendable {
    /// Changed by a reload that sets another `max_connections`.
    private let currentLimit: Synchronization.Atomic<Int>
    private let open = Synchronization.Atomic<Int>(0)
    /// Listeners that stopped accepting, to wake when a connection closes; keyed by listener
    /// handler so that a listener paused again before being woken is registered once.
    private let paused = NIOLockedValueBox<[ObjectIdentifier: @Sendable () -> Void]>([:])

    init(limit: Int) {
        self.currentLimit = Synchronization.Atomic(limit)
    }

    var limit: Int { currentLimit.load(ordering: .relaxed) }

    /// Applies a reloaded `max_connections`; listeners held back by the old one resume if the
    /// new one is higher.
    func setLimit(_ limit: Int) {
        currentLimit.store(limit, ordering: .relaxed)
        if !isAtLimit { wakePausedListeners() }
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
    func whenBelowLimit(_ listener: ObjectIdentifier, _ resume: @escaping @Sendable () -> Void) {
        paused.withLockedValue { $0[listener] = resume }
        // A connection may have closed between the listener's check and this registration.
        if !isAtLimit { wakePausedListeners() }
    }

    private func wakePausedListeners() {
        let wake = paused.withLockedValue { paused in
            defer { paused = [:] }
            return paused
        }
        for resume in wake.values { resume() }
    }
}

/// The server channel's handler that holds back accepts while any of its limiters (the
/// global one, and the listener's own if it has one) is at its limit, and counts every
/// accepted connection in each until it closes.
final class AcceptLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never

    private let limiters: [ConnectionLimiter]
    private var readPending = false
    private var context: ChannelHandlerContext?

    init(limiters: [ConnectionLimiter]) {
        self.limiters = limiters
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = Self.unwrapInboundIn(data)
        for limiter in limiters { limiter.opened() }
        let limiters = self.limiters
        child.closeFuture.whenComplete { _ in
            for limiter in limiters { limiter.closed() }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        let full = limiters.filter(\.isAtLimit)
        guard !full.isEmpty else {
            context.read()
            return
        }
        guard !readPending else { return }
        readPending = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let id = ObjectIdentifier(self)
        for limiter in full {
            limiter.whenBelowLimit(id) {
                eventLoop.execute { loopBound.value.resume() }
            }
        }
    }

    /// A limiter fell below its limit: read again, which pauses again if another is full.
    private func resume() {
        guard readPending, let context else { return }
        readPending = false
        read(context: context)
    }
}

@available(*, unavailable)
extension AcceptLimitHandler: Sendable {}
