import NIOCore

/// A connection that can wait in a ``ConnectionPool`` between requests.
protocol PoolableConnection: AnyObject {
    /// False once the peer closed it or it received bytes while idle (an idle HTTP/1.1
    /// connection must be silent: anything else means it cannot be reused safely).
    var isReusable: Bool { get }
    func close()
}

/// Idle keep-alive connections to the endpoints of all backends, for one event loop.
///
/// Every connection of a client channel is made and used on that channel's event loop, so the
/// pool needs no lock: it is confined to its loop (one pool per loop, per-loop state instead of
/// shared locks, as the architecture asks).
///
/// Connections are reused most-recently-released first. Under light load that keeps a few
/// connections warm and lets the rest reach the idle timeout, and it hands out the connection
/// least likely to have been closed by the backend's own keep-alive timer (Node's default is
/// 5 seconds) — the race that the one-retry rule of ``ExchangeStateMachine`` covers.
final class ConnectionPool<Connection: PoolableConnection> {
    private struct IdleEntry {
        var connection: Connection
        var idleSince: NIODeadline
    }

    private var idle: [String: [IdleEntry]] = [:]
    let maxIdlePerEndpoint: Int
    let idleTimeout: TimeAmount
    /// Set when the backend left the configuration (a reload): released connections are
    /// closed instead of kept.
    var isClosed = false

    init(maxIdlePerEndpoint: Int, idleTimeout: TimeAmount) {
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
        self.idleTimeout = idleTimeout
    }

    /// The number of idle connections held for `endpoint`.
    func idleCount(for endpoint: String) -> Int { idle[endpoint]?.count ?? 0 }

    /// All idle connections held.
    var totalIdle: Int { idle.values.reduce(0) { $0 + $1.count } }

    /// An idle connection to `endpoint` that is still usable, or nil (connect a new one).
    /// Unusable and expired connections met on the way are closed and dropped.
    ///
    /// The endpoint's list is changed in place through the dictionary's `default:` accessor
    /// and kept when it empties: copying it out and back (or dropping and re-creating it) would
    /// allocate new array storage on every request. Lists of endpoints that left are removed by
    /// ``retain(endpoints:)``.
    func take(endpoint: String, now: NIODeadline) -> Connection? {
        Self.takeUsable(from: &idle[endpoint, default: []], now: now, idleTimeout: idleTimeout)
    }

    private static func takeUsable(from entries: inout [IdleEntry], now: NIODeadline, idleTimeout: TimeAmount) -> Connection? {
        while let entry = entries.popLast() {
            if entry.connection.isReusable && now - entry.idleSince < idleTimeout {
                return entry.connection
            }
            entry.connection.close()
        }
        return nil
    }

    /// Puts a connection back after a completed exchange. It is closed instead when it is not
    /// reusable or when the endpoint already has `maxIdlePerEndpoint` idle connections (then
    /// the oldest idle one goes). Changes the endpoint's list in place, as ``take(endpoint:now:)``.
    func release(_ connection: Connection, endpoint: String, now: NIODeadline) {
        guard connection.isReusable, maxIdlePerEndpoint > 0, !isClosed else {
            connection.close()
            return
        }
        Self.append(IdleEntry(connection: connection, idleSince: now), to: &idle[endpoint, default: []], limit: maxIdlePerEndpoint)
    }

    private static func append(_ entry: IdleEntry, to entries: inout [IdleEntry], limit: Int) {
        entries.append(entry)
        if entries.count > limit {
            entries.removeFirst().connection.close()
        }
    }

    /// Closes idle connections past the idle timeout; called periodically by the loop.
    func closeExpired(now: NIODeadline) {
        for (endpoint, entries) in idle {
            let (keep, expired) = entries.partitioned { $0.connection.isReusable && now - $0.idleSince < idleTimeout }
            guard !expired.isEmpty else { continue }
            for entry in expired { entry.connection.close() }
            idle[endpoint] = keep
        }
    }

    /// Closes the idle connections of endpoints that left discovery. Busy connections finish
    /// their exchange and are then closed by `release`'s caller, who knows the endpoint left.
    func retain(endpoints: Set<String>) {
        for (endpoint, entries) in idle where !endpoints.contains(endpoint) {
            for entry in entries { entry.connection.close() }
            idle[endpoint] = nil
        }
    }

    /// Closes every idle connection (shutdown).
    func closeAll() {
        for entries in idle.values {
            for entry in entries { entry.connection.close() }
        }
        idle = [:]
    }
}

extension Array {
    /// The elements that satisfy `predicate`, and those that do not, in order.
    func partitioned(by predicate: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if predicate(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
