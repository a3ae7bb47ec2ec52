import LoadBalance
import NIOCore

/// What each event loop keeps for itself so that forwarding takes no lock: a ``Picker`` per
/// backend (its own snapshot cache, round-robin cursor and random generator) and a
/// keep-alive ``ConnectionPool`` per backend.
///
/// `@unchecked Sendable`: the registry holding these is shared, but each instance is only
/// ever used on its own `eventLoop` — every entry point asserts it — which is NIO's
/// confinement model for channel handlers too.
final class LoopLocalState: @unchecked Sendable {
    let eventLoop: any EventLoop
    private var pickers: [String: Picker<SplitMix64>] = [:]
    private var pools: [String: ConnectionPool<BackendConnection>] = [:]
    private let groups: [String: BackendGroup]
    /// The client connections open on this loop: for their timeouts and graceful shutdown.
    private var clients: [ObjectIdentifier: ProxyServerHandler] = [:]
    /// Set once shutdown began: new exchanges are not started, idle connections close.
    private(set) var isDraining = false

    init(eventLoop: any EventLoop, groups: [String: BackendGroup]) {
        self.eventLoop = eventLoop
        self.groups = groups
        for (name, group) in groups {
            pickers[name] = group.balancer.makePicker()
            pools[name] = ConnectionPool(
                maxIdlePerEndpoint: group.configuration.pool.maxIdlePerEndpoint,
                idleTimeout: TimeAmount(group.configuration.pool.idleTimeout)
            )
        }
    }

    func group(named name: String) -> BackendGroup? { groups[name] }

    /// Picks an endpoint of `backend`, skipping `excluding` (endpoints that already failed
    /// this request) with a bounded number of extra picks.
    func pick(backend: String, key: HashKey?, excluding: Set<String>) -> PickResult? {
        eventLoop.assertInEventLoop()
        guard var picker = pickers[backend] else { return nil }
        defer { pickers[backend] = picker }
        var result = picker.pick(key: key)
        var extraPicks = excluding.isEmpty ? 0 : excluding.count + 2
        while extraPicks > 0, let lease = result.lease, excluding.contains(lease.endpoint.id) {
            lease.complete(.cancelled)
            extraPicks -= 1
            result = picker.pick(key: nil)
        }
        if let lease = result.lease, excluding.contains(lease.endpoint.id) {
            lease.complete(.cancelled)
            return .noEndpoint(.noEndpoints)
        }
        return result
    }

    func pool(for backend: String) -> ConnectionPool<BackendConnection>? {
        eventLoop.assertInEventLoop()
        return pools[backend]
    }

    /// Closes expired idle connections and those of endpoints that left their backend.
    func sweep(now: NIODeadline) {
        eventLoop.assertInEventLoop()
        for (name, pool) in pools {
            pool.closeExpired(now: now)
            if let group = groups[name] {
                pool.retain(endpoints: Set(group.balancer.status().map(\.endpoint.id)))
            }
        }
    }

    func clientOpened(_ handler: ProxyServerHandler) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(handler)] = handler
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

    func closeAll() {
        eventLoop.assertInEventLoop()
        for pool in pools.values { pool.closeAll() }
    }
}

extension TimeAmount {
    /// A Swift `Duration` as NIO's time amount (nanosecond precision).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
