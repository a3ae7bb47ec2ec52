import NIOCore
import Testing
@testable import proxyd

/// The per-event-loop keep-alive pool's rules, with connections that only record what
/// happened to them.
@Suite("Connection pool")
struct ConnectionPoolTests {
    final class FakeConnection: PoolableConnection {
        let name: String
        var isReusable = true
        private(set) var closed = false
        init(_ name: String) { self.name = name }
        func close() {
            closed = true
            isReusable = false
        }
    }

    private let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test("the most recently released connection is reused first")
    func lifo() {
        let pool = ConnectionPool<FakeConnection>(maxIdlePerEndpoint: 4, idleTimeout: .seconds(60))
        let a = FakeConnection("a"), b = FakeConnection("b")
        pool.release(a, endpoint: "e", now: t0)
        pool.release(b, endpoint: "e", now: t0 + .seconds(1))
        #expect(pool.take(endpoint: "e", now: t0 + .seconds(2)) === b)
        #expect(pool.take(endpoint: "e", now: t0 + .seconds(2)) === a)
        #expect(pool.take(endpoint: "e", now: t0 + .seconds(2)) == nil)
        #expect(pool.take(endpoint: "other", now: t0) == nil)
    }

    @Test("connections closed by the backend or past the idle timeout are skipped and closed")
    func staleSkipped() {
        let pool = ConnectionPool<FakeConnection>(maxIdlePerEndpoint: 4, idleTimeout: .seconds(10))
        let old = FakeConnection("old"), dead = FakeConnection("dead"), fresh = FakeConnection("fresh")
        pool.release(old, endpoint: "e", now: t0)
        pool.release(fresh, endpoint: "e", now: t0 + .seconds(9))
        pool.release(dead, endpoint: "e", now: t0 + .seconds(9))
        dead.isReusable = false
        #expect(pool.take(endpoint: "e", now: t0 + .seconds(11)) === fresh)
        #expect(dead.closed)
        #expect(pool.take(endpoint: "e", now: t0 + .seconds(11)) == nil)
        #expect(old.closed)
        #expect(pool.totalIdle == 0)
    }

    @Test("beyond the idle limit the oldest idle connection is closed")
    func idleLimit() {
        let pool = ConnectionPool<FakeConnection>(maxIdlePerEndpoint: 2, idleTimeout: .seconds(60))
        let connections = (0..<3).map { FakeConnection("c\($0)") }
        for (index, connection) in connections.enumerated() { pool.release(connection, endpoint: "e", now: t0 + .seconds(Int64(index))) }
        #expect(connections.map(\.closed) == [true, false, false])
        #expect(pool.idleCount(for: "e") == 2)
    }

    @Test("an unreusable connection is closed on release; a zero limit pools nothing")
    func releaseRules() {
        let pool = ConnectionPool<FakeConnection>(maxIdlePerEndpoint: 2, idleTimeout: .seconds(60))
        let broken = FakeConnection("broken")
        broken.isReusable = false
        pool.release(broken, endpoint: "e", now: t0)
        #expect(pool.totalIdle == 0)
        let none = ConnectionPool<FakeConnection>(maxIdlePerEndpoint: 0, idleTimeout: .seconds(60))
        let c = FakeConnection("c")
        none.release(c, endpoint: "e", now: t0)
        #expect(c.closed && none.totalIdle == 0)
    }

    @Test("endpoints that left discovery lose their idle connections; the sweep closes expired ones")
    func retainAndSweep() {
        let pool = ConnectionPool<FakeConnection>(maxIdlePerEndpoint: 4, idleTimeout: .seconds(10))
        let kept = FakeConnection("kept"), gone = FakeConnection("gone"), expiring = FakeConnection("expiring")
        pool.release(kept, endpoint: "a", now: t0 + .seconds(5))
        pool.release(expiring, endpoint: "a", now: t0)
        pool.release(gone, endpoint: "b", now: t0 + .seconds(5))
        pool.retain(endpoints: ["a"])
        #expect(gone.closed && !kept.closed)
        pool.closeExpired(now: t0 + .seconds(12))
        #expect(expiring.closed && !kept.closed)
        #expect(pool.totalIdle == 1)
        pool.closeAll()
        #expect(kept.closed && pool.totalIdle == 0)
    }
}
