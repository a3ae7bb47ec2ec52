import Foundation
import LoadBalance
import Prometheus
import Testing

@testable import proxyd

/// The stats page's parts without a socket: the latency histogram, the per-endpoint history
/// ring, the loop counters it reads, the DNS change log, the state ledger, the chart geometry,
/// the rendered page and the admin routes that serve it.
@Suite("stats page parts")
struct StatsPageTests {
    // MARK: Histogram

    @Test("latency buckets double from 50 µs: a bound belongs to its own bucket, longer than the last bound overflows")
    func histogramBuckets() {
        #expect(LatencyHistogram.bucket(forNanoseconds: 0) == 0)
        #expect(LatencyHistogram.bucket(forNanoseconds: 50_000) == 0)
        #expect(LatencyHistogram.bucket(forNanoseconds: 50_001) == 1)
        #expect(LatencyHistogram.bucket(forNanoseconds: 100_000) == 1)
        #expect(LatencyHistogram.bucket(forNanoseconds: 100_001) == 2)
        #expect(LatencyHistogram.bucket(forNanoseconds: 3_000_000) == 6)  // 1.6 ms < 3 ms <= 3.2 ms
        #expect(LatencyHistogram.upperBoundNanoseconds(6) == 3_200_000)
        #expect(LatencyHistogram.bucket(forNanoseconds: 50_000 << 19) == 19)
        #expect(LatencyHistogram.bucket(forNanoseconds: (50_000 << 19) + 1) == 20)
        #expect(LatencyHistogram.bucket(forNanoseconds: .max) == 20)
    }

    @Test("percentiles interpolate log-linearly inside the bucket they fall in; nothing counted is nil")
    func histogramQuantiles() throws {
        var counts = [UInt32](repeating: 0, count: LatencyHistogram.bucketCount)
        #expect(LatencyHistogram.quantile(0.5, of: counts) == nil)
        counts[3] = 100  // 200 µs … 400 µs
        let p50 = try #require(LatencyHistogram.quantile(0.5, of: counts))
        #expect(abs(p50 - 0.0002 * 2.0.squareRoot()) < 1e-9, "\(p50)")
        let p100 = try #require(LatencyHistogram.quantile(1, of: counts))
        #expect(abs(p100 - 0.0004) < 1e-9)
        counts[10] = 1  // one slow request among 101: p99 stays in bucket 3, p100 moves
        #expect(try #require(LatencyHistogram.quantile(0.99, of: counts)) <= 0.0004)
        #expect(try #require(LatencyHistogram.quantile(1, of: counts)) > 0.025)
    }

    // MARK: History ring

    @Test("the ring keeps one slot per interval, reports the last slotCount intervals oldest first, and reuses a slot for a new interval")
    func ringIntervals() {
        var ring = RequestHistoryRing(slotCount: 4, intervalNanoseconds: 1_000)
        ring.record(atNanoseconds: 10_100, durationNanoseconds: 60_000, failed: false)  // epoch 10
        ring.record(atNanoseconds: 10_900, durationNanoseconds: 60_000, failed: true)
        ring.record(atNanoseconds: 12_000, durationNanoseconds: 1_000_000, failed: false)  // epoch 12
        var samples = ring.samples(nowNanoseconds: 12_500)
        #expect(samples.map(\.epoch) == [9, 10, 11, 12])
        #expect(samples.map(\.requests) == [0, 2, 0, 1])
        #expect(samples.map(\.errors) == [0, 1, 0, 0])
        #expect(samples[1].latencyBuckets[1] == 2)
        #expect(samples[0].latencyBuckets.isEmpty)
        // Epoch 14 takes epoch 10's slot: the old counts are gone, not added to.
        ring.record(atNanoseconds: 14_000, durationNanoseconds: 60_000, failed: false)
        samples = ring.samples(nowNanoseconds: 14_000)
        #expect(samples.map(\.epoch) == [11, 12, 13, 14])
        #expect(samples.map(\.requests) == [0, 1, 0, 1])
        #expect(samples[3].errors == 0)
        // Long after: everything read as empty although the slots still hold old epochs.
        #expect(ring.samples(nowNanoseconds: 100_000).allSatisfy { $0.requests == 0 })
    }

    @Test("loops' series merge interval by interval, histograms included")
    func ringMerge() throws {
        var a = RequestHistoryRing(slotCount: 3, intervalNanoseconds: 1_000)
        var b = RequestHistoryRing(slotCount: 3, intervalNanoseconds: 1_000)
        a.record(atNanoseconds: 5_000, durationNanoseconds: 40_000, failed: false)
        b.record(atNanoseconds: 5_500, durationNanoseconds: 40_000, failed: true)
        b.record(atNanoseconds: 4_000, durationNanoseconds: 40_000, failed: false)
        let merged = RequestHistorySample.merged([a.samples(nowNanoseconds: 5_999), b.samples(nowNanoseconds: 5_999)])
        #expect(merged.map(\.requests) == [0, 1, 2])
        #expect(merged.map(\.errors) == [0, 0, 1])
        #expect(merged[2].latencyBuckets[0] == 2)
        #expect(try #require(merged[2].latency(quantile: 0.5)) <= 0.00005)
    }

    @Test("loop metrics count per endpoint (bytes, retries, redispatches, failures) and snapshot its history only when asked")
    func loopEndpointCounters() throws {
        let metrics = LoopMetrics(backendNames: ["app"])
        let now: UInt64 = 1_000 * 5_000_000_000
        metrics.record(backend: 1, endpoint: "10.0.0.1:1", status: 200, durationNanoseconds: 2_000_000, retries: 1, bytes: 100, bytesIn: 7, redispatches: 1, now: now)
        metrics.record(backend: 1, endpoint: "10.0.0.1:1", status: 502, durationNanoseconds: 2_000_000, retries: 0, bytes: 10, now: now)
        metrics.recordFailure(backend: 1, endpoint: "10.0.0.1:1", connect: true)
        metrics.recordFailure(backend: 1, endpoint: "10.0.0.1:2", connect: false)
        let web = metrics.listenerActivity(named: "web")
        #expect(metrics.listenerActivity(named: "web") === web, "one object per listener per loop")
        web.opened()
        web.opened()
        web.closed()
        let plain = metrics.snapshot(openConnections: 0)
        #expect(plain.endpoints[1]["10.0.0.1:1"] == EndpointCounters(
            requests: 2, bytesIn: 7, bytesOut: 110, connectionErrors: 1, responseErrors: 0, retries: 1, redispatches: 1, serverErrorResponses: 1))
        #expect(plain.endpoints[1]["10.0.0.1:2"]?.responseErrors == 1)
        #expect(plain.endpointHistory[1].isEmpty)
        var total = LoopMetrics.Snapshot(backends: 2)
        total.merge(metrics.snapshot(openConnections: 0, historyAt: now))
        total.merge(metrics.snapshot(openConnections: 0, historyAt: now))
        #expect(total.endpoints[1]["10.0.0.1:1"]?.requests == 4)
        #expect(total.listeners["web"] == ListenerCounters(sessionsCurrent: 2, sessionsMax: 4, sessions: 4))
        let history = try #require(total.endpointHistory[1]["10.0.0.1:1"])
        #expect(history.count == RequestHistoryRing.defaultSlotCount)
        #expect(history.last?.requests == 4)
        #expect(history.last?.errors == 2)
        // An endpoint that left is forgotten.
        metrics.retainEndpoints(backend: 1, ["10.0.0.1:2"])
        #expect(metrics.snapshot(openConnections: 0).endpoints[1].keys.sorted() == ["10.0.0.1:2"])
    }

    // MARK: DNS changes and states

    @Test("the change log records what was added and removed, skips unchanged sets and keeps only the newest changes")
    func changeLog() {
        var log = MembershipChangeLog(capacity: 2)
        log.record(from: [], to: ["a:1", "b:1"], at: 1)
        log.record(from: ["a:1", "b:1"], to: ["b:1", "a:1"], at: 2)
        #expect(log.changes == [.init(at: 1, added: ["a:1", "b:1"], removed: [])])
        log.record(from: ["a:1", "b:1"], to: ["b:1", "c:1"], at: 3)
        log.record(from: ["b:1", "c:1"], to: ["c:1"], at: 4)
        #expect(log.changes == [.init(at: 3, added: ["c:1"], removed: ["a:1"]), .init(at: 4, added: [], removed: ["b:1"])])
    }

    @Test("a backend's DNS updates land in its change log")
    func backendRecordsChanges() throws {
        let group = try AdminUnitTests.group()
        try group.setMembership(AdminUnitTests.endpoints([1, 2]))
        try group.setMembership(AdminUnitTests.endpoints([2, 3]))
        let changes = group.membershipSnapshot().changes.changes
        #expect(changes.map(\.added) == [["10.0.0.1:1", "10.0.0.1:2"], ["10.0.0.1:3"]])
        #expect(changes.map(\.removed) == [[], ["10.0.0.1:1"]])
    }

    @Test("the ledger dates state changes, sums downtime over down and ejected periods, and keeps the peak in flight")
    func ledger() throws {
        var ledger = EndpointStateLedger()
        ledger.observe(backend: "b", endpoint: "e", state: "up", inFlight: 3, at: 100)
        ledger.observe(backend: "b", endpoint: "e", state: "down", inFlight: 0, at: 110)
        ledger.observe(backend: "b", endpoint: "e", state: "ejected", inFlight: 0, at: 115)
        ledger.observe(backend: "b", endpoint: "e", state: "up", inFlight: 1, at: 130)
        ledger.observe(backend: "b", endpoint: "e", state: "drained", inFlight: 0, at: 140)
        var entry = try #require(ledger.entry(backend: "b", endpoint: "e"))
        #expect(entry.since == 140)
        #expect(entry.downtime(now: 200) == 20)
        #expect(entry.maxInFlight == 3)
        ledger.observe(backend: "b", endpoint: "e", state: "down", inFlight: 0, at: 150)
        entry = try #require(ledger.entry(backend: "b", endpoint: "e"))
        #expect(entry.downtime(now: 160) == 30)
        ledger.retain([])
        #expect(ledger.entry(backend: "b", endpoint: "e") == nil)
    }

    // MARK: Chart and page

    static func history(_ requests: [Int], p99: Double = 0.02) -> [ProxyStatus.HistoryPoint] {
        requests.enumerated().map { index, count in
            ProxyStatus.HistoryPoint(start: 1_000 + Double(index) * 5, requests: count, errors: 0,
                                     p50: count > 0 ? p99 / 4 : nil, p99: count > 0 ? p99 * Double(count) / 10 : nil)
        }
    }

    @Test("the chart scales bars to the busiest interval and latency to the slowest p99; idle intervals have no latency point")
    func chartGeometry() {
        let chart = StatsChart(history: Self.history([0, 10, 5, 0]), interval: 5)
        #expect(chart.peakRate == 2)
        #expect(abs(chart.peakLatency - 0.02) < 1e-12)
        #expect(chart.bars.map(\.x) == [60, 120])
        #expect(chart.bars.map(\.height) == [60, 30])
        #expect(chart.p99.map(\.x) == [90, 150])
        #expect(chart.p99.first?.y == 2)  // the slowest point touches the top margin
        #expect(StatsChart(history: Self.history([0, 0]), interval: 5).bars.isEmpty)
        #expect(StatsChart.timelineX(1_150, from: 1_000, to: 1_300) == 360)
        #expect(StatsChart.timelineX(999, from: 1_000, to: 1_300) == nil)
    }

    static func status() -> ProxyStatus {
        var up = ProxyStatus.Endpoint(id: "10.0.0.1:8080", name: "srv1", slot: 1, address: "10.0.0.1", port: 8080, target: "task-1.<internal>", priority: 0, weight: 10, state: "up", inFlight: 2, requests: 15, requestRate: 3, lastCheck: "passed")
        up.counters = EndpointCounters(requests: 15, bytesIn: 2_048, bytesOut: 30_000, connectionErrors: 1, responseErrors: 2, retries: 3, redispatches: 1, serverErrorResponses: 4)
        up.checkDurationMilliseconds = 1.25
        up.history = history([0, 10, 5])
        up.lastStateChange = 1_000
        var drained = ProxyStatus.Endpoint(id: "10.0.0.2:8080", address: "10.0.0.2", port: 8080, priority: 0, weight: 10, state: "drained", inFlight: 0, requests: 0, requestRate: 0)
        drained.history = history([0, 0, 0])
        let backend = ProxyStatus.Backend(
            name: "hello", strategy: "roundRobin", endpoints: [up, drained], lastMembershipUpdate: 1_000,
            changes: [.init(at: 1_010, added: ["10.0.0.2:8080"], removed: []), .init(at: 100, added: ["10.0.0.9:1"], removed: ["10.0.0.8:1"])],
            totals: EndpointCounters(requests: 16, bytesOut: 30_001))
        let listener = ProxyStatus.Listener(name: "web", bind: "0.0.0.0:80", tls: false, maxConnections: 1000, counters: ListenerCounters(
            sessionsCurrent: 1, sessionsMax: 4, sessions: 9, requests: 20, bytesIn: 5, bytesOut: 6, denied: 2, requestErrors: 1))
        return ProxyStatus(backends: [backend], certificates: [], listeners: [listener], generatedAt: 1_020)
    }

    @Test("the page has a row per endpoint with its counters, a chart with its series, DNS markers in the window, and escapes what DNS announced")
    func pageStructure() {
        let html = StatsPage.render(Self.status())
        #expect(html.contains("data-endpoint=\"10.0.0.1:8080\" data-state=\"up\" data-requests=\"15\" data-bytes-in=\"2048\" data-bytes-out=\"30000\""))
        #expect(html.contains("data-endpoint=\"10.0.0.2:8080\" data-state=\"drained\""))
        #expect(html.contains("<svg class=\"chart\" data-endpoint=\"10.0.0.1:8080\" data-series=\"0,10,5\""))
        #expect(html.contains("<rect class=\"bar\""))
        #expect(html.contains("<polyline class=\"p99\""))
        #expect(html.contains("task-1.&lt;internal&gt;"))
        #expect(!html.contains("task-1.<internal>"))
        #expect(html.contains("2.0 KiB") && html.contains("29.3 KiB"))
        #expect(html.contains("<td>1.2</td>") || html.contains("<td>1.3</td>"), "check duration in ms")
        // One marker: the change at 1010 is inside the 5-minute window, the one at 100 is not (listed only).
        #expect(html.components(separatedBy: "<g class=\"dns-change\"").count == 2)
        #expect(html.contains("data-added=\"1\" data-removed=\"0\""))
        #expect(html.contains("+10.0.0.9:1 -10.0.0.8:1"))
        #expect(html.contains("<tr data-listener=\"web\" data-sessions=\"9\" data-requests=\"20\"><td class=\"name\">web</td><td class=\"name\">0.0.0.0:80</td><td>no</td><td>1</td><td>4</td><td>1000</td><td>9</td><td>20</td><td>5 B</td><td>6 B</td><td>2</td><td>1</td></tr>"))
        #expect(html.contains("<meta http-equiv=\"refresh\""))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<button"))
        #expect(!html.contains("style=\""), "no inline style attributes under the CSP")
    }

    @Test("with actions every endpoint gets drain and ready buttons and the page loads its script instead of refreshing itself")
    func pageActions() {
        let html = StatsPage.render(Self.status(), actions: true)
        #expect(html.contains("<script src=\"/stats.js\" defer></script>"))
        #expect(!html.contains("http-equiv=\"refresh\""))
        for id in ["10.0.0.1:8080", "10.0.0.2:8080"] {
            #expect(html.contains("data-action=\"drain\" data-backend=\"hello\" data-endpoint=\"\(id)\""))
            #expect(html.contains("data-action=\"enable\" data-backend=\"hello\" data-endpoint=\"\(id)\""))
        }
    }

    static func router(token: String?) -> AdminRouter {
        let inspector = ProxyInspector(
            view: { .init(backends: [], watches: [:], tlsContexts: [], healthChecks: HealthCheckWiring(checkers: [])) },
            loops: [], accessLog: nil, registry: PrometheusCollectorRegistry())
        return AdminRouter(inspector: inspector, token: token, reload: AdminReloadAction { (true, "") })
    }

    @Test("with a token, the page without one is a 401 asking for it (no data), the assets need none, the API still refuses")
    func tokenRoutes() async {
        let secret = "s3cret-token-value"
        let router = Self.router(token: secret)
        let page = await router.respond(to: AdminRequest(method: "GET", target: "/", authorization: nil, body: []))
        #expect(page.status == 401)
        #expect(page.contentType.hasPrefix("text/html"))
        #expect(page.body.contains("id=\"token-form\""))
        #expect(!page.body.contains("table"))
        #expect(page.headers.contains { $0.name == "Content-Security-Policy" && $0.value.contains("script-src 'self'") })
        let api = await router.respond(to: AdminRequest(method: "GET", target: "/api/backends", authorization: nil, body: []))
        #expect(api.status == 401)
        #expect(api.contentType == "application/json")
        for asset in ["/stats.js", "/stats.css"] {
            let response = await router.respond(to: AdminRequest(method: "GET", target: asset, authorization: nil, body: []))
            #expect(response.status == 200, "\(asset)")
            #expect(!response.body.contains(secret))
        }
        let authorized = await router.respond(to: AdminRequest(method: "GET", target: "/", authorization: "Bearer \(secret)", body: []))
        #expect(authorized.status == 200)
        #expect(authorized.body.contains("/stats.js"))
        #expect(!authorized.body.contains(secret), "the token is never written into the page")
        let open = await Self.router(token: nil).respond(to: AdminRequest(method: "GET", target: "/stats", authorization: nil, body: []))
        #expect(open.status == 200)
        #expect(!open.body.contains("/stats.js"))
    }
}
