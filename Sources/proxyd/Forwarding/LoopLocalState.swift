import LoadBalance
import NIOCore

/// What a client connection on one event loop uses of its configuration generation: the
/// backends by name (each a ``LoopBackend`` with the loop's own picker and pool), so that
/// forwarding takes no lock, and the loop's ``LoopConnections`` registry.
///
/// One per generation and loop. A connection keeps the one it was accepted with until it
/// closes, so a reload never changes the backends under an exchange in flight. When a reload
/// replaces the generation, it is *retired*: each of its connections finishes the exchange in
/// flight (or its next one, if idle) with `Connection: close`, so keep-alive clients reconnect
/// to the new configuration without a failed request.
///
/// `@unchecked Sendable`: the registries holding these are shared, but each instance is only
/// ever used on its own `eventLoop` — every entry point asserts it — which is NIO's
/// confinement model for channel handlers too.
final class LoopLocalState: @unchecked Sendable {
    let eventLoop: any EventLoop
    let connections: LoopConnections
    private let backends: [String: LoopBackend]
    private var isRetired = false

    init(connections: LoopConnections, backends: [String: LoopBackend]) {
        self.eventLoop = connections.eventLoop
        self.connections = connections
        self.backends = backends
    }

    func group(named name: String) -> BackendGroup? { backends[name]?.group }

    /// Picks an endpoint of `backend`, skipping `excluding` (endpoints that already failed
    /// this request) with a bounded number of extra picks.
    func pick(backend: String, key: HashKey?, excluding: Set<String>) -> PickResult? {
        eventLoop.assertInEventLoop()
        return backends[backend]?.pick(key: key, excluding: excluding)
    }

    func pool(for backend: String) -> ConnectionPool<BackendConnection>? {
        eventLoop.assertInEventLoop()
        return backends[backend]?.pool
    }

    /// True once shutdown began or this generation was replaced: new exchanges say
    /// `Connection: close`.
    var isDraining: Bool {
        eventLoop.assertInEventLoop()
        return isRetired || connections.isDraining
    }

    /// A reload replaced this generation (see the type's comment).
    func retire() {
        eventLoop.assertInEventLoop()
        isRetired = true
    }

    /// This loop's request counters (process-wide: they survive reloads).
    var metrics: LoopMetrics { connections.metrics }
    /// Where finished exchanges are logged; nil when `access_log` is not configured (the
    /// handlers then gather nothing for it).
    var accessLog: AccessLogWriter? { connections.accessLog }

    func clientOpened(_ handler: ProxyServerHandler) { connections.clientOpened(handler) }
    func clientClosed(_ handler: ProxyServerHandler) { connections.clientClosed(handler) }
}

/// The client connections open on one event loop, whatever generation they belong to, and the
/// loop's backends to sweep; for graceful shutdown and pool expiry. One per loop for the
/// process's life.
///
/// `@unchecked Sendable`: used only on `eventLoop`, as ``LoopLocalState``.
final class LoopConnections: @unchecked Sendable {
    let eventLoop: any EventLoop
    /// The client connections open on this loop: for their timeouts and graceful shutdown.
    private var clients: [ObjectIdentifier: ProxyServerHandler] = [:]
    /// The current configuration's backends on this loop, swept once a second.
    private var sweepable: [ObjectIdentifier: LoopBackend] = [:]
    /// Set once shutdown began: new exchanges are not started, idle connections close.
    private(set) var isDraining = false

    /// This loop's request counters, folded into `/metrics` at scrape time.
    let metrics: LoopMetrics
    /// The access log writer, shared by every loop (it has its own thread).
    let accessLog: AccessLogWriter?

    init(eventLoop: any EventLoop, backendNames: [String], accessLog: AccessLogWriter?) {
        self.eventLoop = eventLoop
        self.metrics = LoopMetrics(backendNames: backendNames)
        self.accessLog = accessLog
    }

    /// This loop's counters, for a scrape (run on the loop).
    func metricsSnapshot(historyAt now: UInt64? = nil) -> LoopMetrics.Snapshot {
        eventLoop.assertInEventLoop()
        return metrics.snapshot(openConnections: clients.count, historyAt: now)
    }

    func clientOpened(_ handler: ProxyServerHandler) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(handler)] = handler
        metrics.connectionAccepted()
    }

    func clientClosed(_ handler: ProxyServerHandler) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(handler)] = nil
    }

    var openClientCount: Int {
        eventLoop.assertInEventLoop()
        return clients.count
    }

    /// Acts on every client connection's passed deadlines (request head, keep-alive, client,
    /// server, tunnel timeouts); ``ProxyRuntime`` calls it every 100 ms on each loop.
    func checkTimeouts(now: NIODeadline) {
        eventLoop.assertInEventLoop()
        for handler in clients.values { handler.checkTimeouts(now: now) }
    }

    /// Makes `added` the swept backends in place of `removed`, retiring the removed ones (their
    /// idle connections close now, busy ones after their exchange).
    func replaceBackends(adding added: [LoopBackend], retiring removed: [LoopBackend]) {
        eventLoop.assertInEventLoop()
        for backend in removed {
            sweepable[ObjectIdentifier(backend)] = nil
            backend.retire()
        }
        for backend in added { sweepable[ObjectIdentifier(backend)] = backend }
        // Every loop gets the same calls in the same order, so backend rows line up.
        metrics.addBackends(added.map(\.group.name))
    }

    /// Closes expired idle connections and those of endpoints that left their backend.
    func sweep(now: NIODeadline) {
        eventLoop.assertInEventLoop()
        for backend in sweepable.values {
            backend.sweep(now: now)
            // Per-endpoint request counts of endpoints that left DNS are forgotten (drained
            // ones stay listed, and counted, until they leave).
            let group = backend.group
            let ids = Set(group.balancer.status().map(\.endpoint.id)).union(group.membershipSnapshot().announced.map(\.id))
            metrics.retainEndpoints(backend: metrics.index(ofBackend: group.name), ids)
        }
    }

    /// Starts graceful shutdown on this loop: every client connection is told to finish its
    /// current exchange (if any) and close.
    func beginDraining() {
        eventLoop.assertInEventLoop()
        isDraining = true
        for handler in clients.values { handler.beginDraining() }
    }

    /// Closes every client connection still open (the shutdown grace ran out).
    func closeClients() {
        eventLoop.assertInEventLoop()
        for handler in clients.values { handler.closeConnection() }
    }

    /// Closes every idle pooled connection (shutdown).
    func closeAll() {
        eventLoop.assertInEventLoop()
        for backend in sweepable.values { backend.pool.closeAll() }
    }
}

extension TimeAmount {
    /// A Swift `Duration` as NIO's time amount (nanosecond precision).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
