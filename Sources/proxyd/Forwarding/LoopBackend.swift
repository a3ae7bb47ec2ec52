import LoadBalance
import NIOCore

/// One backend on one event loop: the loop's own ``Picker`` (snapshot cache, round-robin
/// cursor, random generator) and keep-alive ``ConnectionPool`` for it, so that forwarding
/// takes no lock.
///
/// Made once per backend and loop and kept across reloads for as long as the backend's
/// configuration is unchanged: every configuration generation that uses the backend shares it,
/// so a reload loses neither warm connections nor the balancing cursor.
///
/// `@unchecked Sendable`: created on any thread, then used only on `eventLoop` — every entry
/// point asserts it — which is NIO's confinement model for channel handlers too.
final class LoopBackend: @unchecked Sendable {
    let eventLoop: any EventLoop
    let group: BackendGroup
    let pool: ConnectionPool<BackendConnection>
    private var picker: Picker<SplitMix64>

    init(group: BackendGroup, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.group = group
        self.picker = group.balancer.makePicker()
        self.pool = ConnectionPool(
            maxIdlePerEndpoint: group.configuration.pool.maxIdlePerEndpoint,
            idleTimeout: TimeAmount(group.configuration.pool.idleTimeout)
        )
    }

    /// Picks an endpoint, skipping `excluding` (endpoints that already failed this request)
    /// with a bounded number of extra picks.
    func pick(key: HashKey?, excluding: Set<String>) -> PickResult {
        eventLoop.assertInEventLoop()
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

    /// Closes expired idle connections and those of endpoints that left the backend.
    func sweep(now: NIODeadline) {
        eventLoop.assertInEventLoop()
        pool.closeExpired(now: now)
        pool.retain(endpoints: Set(group.balancer.status().map(\.endpoint.id)))
    }

    /// The backend left the configuration: close its idle connections now and every busy one
    /// when its exchange ends (connections still in use come back through `release`).
    func retire() {
        eventLoop.assertInEventLoop()
        pool.closeAll()
        pool.isClosed = true
    }
}
