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
    /// The client connections open on this loop, for graceful shutdown.
    private var clients: [ObjectIdentifier: any Channel] = [:]
    /// Set once shutdown began: new exchanges are not started, idle connections close.
    private(set) var isDraining = false
    /// This loop's request counters, folded into `/metrics` at scrape time.
    let metrics: LoopMetrics
    /// Where finished exchanges are logged; nil when `access_log` is not configured (the
    /// handlers then gather nothing for it).
    let accessLog: AccessLogWriter?

    init(eventLoop: any EventLoop, groups: [String: BackendGroup], backendOrder: [String]? = nil, accessLog: AccessLogWriter? = nil) {
        self.eventLoop = eventLoop
        self.groups = groups
        self.metrics = LoopMetrics(backendNames: backendOrder ?? groups.keys.sorted())
        self.accessLog = accessLog
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
                let ids = Set(group.balancer.status().map(\.endpoint.id))
                pool.retain(endpoints: ids)
                // Drained endpoints stay listed (and counted) until they leave DNS.
                let announced = group.membershipSnapshot().announced.map(\.id)
                metrics.retainEndpoints(backend: metrics.index(ofBackend: name), ids.union(announced))
            }
        }
    }

    func clientOpened(_ channel: any Channel) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(channel)] = channel
        metrics.connectionAccepted()
    }

    /// This loop's counters, for a scrape (run on the loop).
    func metricsSnapshot() -> LoopMetrics.Snapshot {
        eventLoop.assertInEventLoop()
        return metrics.snapshot(openConnections: clients.count)
    }

    func clientClosed(_ channel: any Channel) {
        eventLoop.assertInEventLoop()
        clients[ObjectIdentifier(channel)] = nil
    }

    var openClientCount: Int {
        eventLoop.assertInEventLoop()
        return clients.count
    }

    /// Starts graceful shutdown on this loop: every client connection is told to finish its
    /// current exchange (if any) and close.
    func beginDraining() {
        eventLoop.assertInEventLoop()
        isDraining = true
        for channel in clients.values {
            channel.pipeline.fireUserInboundEventTriggered(ProxyDrainEvent())
        }
    }

    /// Closes every client connection still open (the shutdown grace ran out).
    func closeClients() {
        eventLoop.assertInEventLoop()
        for channel in clients.values { channel.close(promise: nil) }
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

/// Tells a client connection that the proxy is shutting down: close when idle, or right after
/// the exchange in flight (its response says `Connection: close`).
struct ProxyDrainEvent: Sendable {}
