import Foundation
import LoadBalance
import NIOConcurrencyHelpers
import NIOCore
import Prometheus
import SRVDiscovery
import TLSTerm

/// What the admin listener sees of and does to a running proxy: it reads the balancers,
/// the discovery watchers, the health checks, the certificates and every loop's counters, and
/// applies the operator's overrides. ``ProxyRuntime`` builds one over its own parts.
final class ProxyInspector: Sendable {
    /// What the current configuration generation holds, read afresh on every look: a reload
    /// replaces backends, watchers and certificates under the admin listener.
    struct View: Sendable {
        /// Backends in configuration order.
        var backends: [BackendGroup]
        /// The DNS watcher of each SRV backend, with the `resolvers` section it asks.
        var watches: [String: (watcher: EndpointWatcher<ContinuousClock>, resolverName: String)]
        var tlsContexts: [(listener: String, context: TLSServerContext)]
        var healthChecks: HealthCheckWiring
        /// The configuration being served (listeners, resolvers, limits for the runtime API).
        var configuration = ProxyConfiguration()
    }

    private let view: @Sendable () -> View
    /// One per event loop, for the process's life: the loops' counters survive reloads.
    private let loops: [LoopConnections]
    let accessLog: AccessLogWriter?
    let exposition: MetricsExposition
    /// The request counts the last look saw, for per-endpoint request rates.
    private let lastLook = NIOLockedValueBox<(at: Double, counts: [String: Int])>((0, [:]))
    /// When the proxy started, Unix seconds (`show info`'s uptime).
    let startedAt = Date().timeIntervalSince1970
    /// Endpoint state changes, downtime and peak in-flight counts, fed by every look and by
    /// ``observeStates()``.
    private let ledger = NIOLockedValueBox(EndpointStateLedger())

    init(view: @escaping @Sendable () -> View, loops: [LoopConnections], accessLog: AccessLogWriter?, registry: PrometheusCollectorRegistry) {
        self.view = view
        self.loops = loops
        self.accessLog = accessLog
        self.exposition = MetricsExposition(registry: registry)
    }

    /// The current backends, in configuration order.
    var backends: [BackendGroup] { view().backends }

    /// The configuration generation being served.
    var configuration: ProxyConfiguration { view().configuration }

    /// The DNS counters of each `resolvers` section in use, by section name.
    func resolverStatuses() -> [String: ProxyStatus.DNS] {
        var resolvers: [String: ProxyStatus.DNS] = [:]
        let view = self.view()
        for group in view.backends {
            if let watch = view.watches[group.name], resolvers[watch.resolverName] == nil {
                resolvers[watch.resolverName] = Self.dnsStatus(watch.watcher, now: .now)
            }
        }
        return resolvers
    }

    /// Every loop's counters, summed (one task submitted to each loop); with `history`, also
    /// every endpoint's recent intervals, taken at one instant for all loops.
    func requestCounters(history: Bool = false) async -> (snapshot: LoopMetrics.Snapshot, backendNames: [String]) {
        var names = [""]
        var total: LoopMetrics.Snapshot?
        let historyAt: UInt64? = history ? NIODeadline.now().uptimeNanoseconds : nil
        for loop in loops {
            guard let (snapshot, loopNames) = try? await loop.eventLoop.submit({ (loop.metricsSnapshot(historyAt: historyAt), loop.metrics.backendNames) }).get() else { continue }
            if var sum = total {
                sum.merge(snapshot)
                total = sum
            } else {
                total = snapshot
                names = loopNames
            }
        }
        return (total ?? LoopMetrics.Snapshot(backends: 1), names)
    }

    /// The whole proxy now; `counters` from ``requestCounters(history:)`` (fetched, with the
    /// history, when nil).
    func status(counters: (snapshot: LoopMetrics.Snapshot, backendNames: [String])? = nil) async -> ProxyStatus {
        let counters = await { () async -> (snapshot: LoopMetrics.Snapshot, backendNames: [String]) in
            if let counters { return counters }
            return await requestCounters(history: true)
        }()
        let nowWall = Date().timeIntervalSince1970
        let nowUptime = NIODeadline.now().uptimeNanoseconds
        let nowClock = ContinuousClock.now
        let view = self.view()
        var checks: [String: (result: String, milliseconds: Double)] = [:]
        for check in view.healthChecks.statuses() {
            if let last = check.lastCheck {
                let (whole, atto) = last.duration.components
                checks[check.backend + "|" + check.endpointID] = (last.result.description, Double(whole) * 1000 + Double(atto) / 1e15)
            }
        }
        let observed = observe(view.backends, at: nowWall)
        let previous = lastLook.withLockedValue { $0 }
        let elapsed = previous.at > 0 ? nowWall - previous.at : 0
        var currentCounts: [String: Int] = [:]

        var result: [ProxyStatus.Backend] = []
        for group in view.backends {
            let index = counters.backendNames.firstIndex(of: group.name) ?? 0
            let countersByEndpoint = index > 0 && index < counters.snapshot.endpoints.count ? counters.snapshot.endpoints[index] : [:]
            let historyByEndpoint = index > 0 && index < counters.snapshot.endpointHistory.count ? counters.snapshot.endpointHistory[index] : [:]
            let membership = group.membershipSnapshot()
            var endpoints: [ProxyStatus.Endpoint] = []
            var listed: Set<String> = []
            func entry(_ endpoint: LoadBalance.Endpoint, state: String, inFlight: Int) -> ProxyStatus.Endpoint {
                let key = group.name + "|" + endpoint.id
                let endpointCounters = countersByEndpoint[endpoint.id] ?? EndpointCounters()
                let requests = endpointCounters.requests
                currentCounts[key] = requests
                let ledgerEntry = observed.entry(backend: group.name, endpoint: endpoint.id)
                let rate = elapsed > 0.2 ? max(0, Double(requests - (previous.counts[key] ?? requests)) / elapsed) : 0
                let announced = membership.announced.first { $0.id == endpoint.id }
                return ProxyStatus.Endpoint(
                    id: endpoint.id, name: membership.names.name(of: endpoint.id), slot: membership.names.slots[endpoint.id], address: endpoint.address, port: endpoint.port, target: endpoint.target,
                    priority: Int(endpoint.priority), weight: Int(announced?.weight ?? endpoint.weight),
                    weightOverride: membership.weights[endpoint.id].map(Int.init),
                    state: state, inFlight: inFlight, requests: requests, requestRate: rate,
                    lastCheck: checks[key]?.result, checkDurationMilliseconds: checks[key]?.milliseconds,
                    counters: endpointCounters, maxInFlight: ledgerEntry?.maxInFlight ?? inFlight,
                    lastStateChange: ledgerEntry?.since, downtimeSeconds: ledgerEntry?.downtime(now: nowWall) ?? 0,
                    history: Self.historyPoints(historyByEndpoint[endpoint.id] ?? [], nowWall: nowWall, nowUptime: nowUptime))
            }
            for status in group.balancer.status() {
                listed.insert(status.endpoint.id)
                endpoints.append(entry(status.endpoint, state: Self.state(of: status, membership: membership), inFlight: status.inFlight))
            }
            // Drained by the operator and finished: no longer in the balancer, still listed.
            for endpoint in membership.announced where !listed.contains(endpoint.id) {
                if membership.drained.contains(endpoint.id) {
                    endpoints.append(entry(endpoint, state: "drained", inFlight: 0))
                } else if membership.maintenance.contains(endpoint.id) {
                    endpoints.append(entry(endpoint, state: "maint", inFlight: 0))
                }
            }
            var dns: ProxyStatus.DNS?
            if let watch = view.watches[group.name] {
                dns = Self.dnsStatus(watch.watcher, now: nowClock)
            }
            var totals = EndpointCounters()
            for endpoint in endpoints { totals.merge(endpoint.counters) }
            if index > 0 && index < counters.snapshot.requests.count {
                totals.requests = counters.snapshot.requests[index].reduce(0, +)
                totals.bytesOut = counters.snapshot.responseBytes[index]
                totals.retries = counters.snapshot.retries[index]
            }
            result.append(ProxyStatus.Backend(
                name: group.name, strategy: group.configuration.balance.strategy.rawValue,
                endpoints: endpoints, dns: dns, lastMembershipUpdate: membership.lastUpdate,
                changes: membership.changes.changes, totals: totals,
                maxInFlight: observed.entry(backend: group.name, endpoint: "")?.maxInFlight ?? 0))
        }
        lastLook.withLockedValue { $0 = (nowWall, currentCounts) }

        var certificates: [ProxyStatus.Certificate] = []
        for (listener, context) in view.tlsContexts {
            for info in context.certificates.certificates {
                certificates.append(ProxyStatus.Certificate(
                    listener: listener, subject: info.subject, serverNames: info.serverNames,
                    serialNumber: info.serialNumber, notAfter: info.notAfter))
            }
        }
        let listeners = view.configuration.listeners.map { listener in
            ProxyStatus.Listener(
                name: listener.name, bind: "\(listener.bind)", tls: listener.tls != nil,
                maxConnections: listener.maxConnections ?? view.configuration.limits.maxConnections,
                counters: counters.snapshot.listeners[listener.name] ?? ListenerCounters())
        }
        return ProxyStatus(backends: result, certificates: certificates, listeners: listeners, generatedAt: nowWall)
    }

    /// The stats page's state word of a balancer entry.
    static func state(of status: EndpointStatus, membership: BackendGroup.Membership) -> String {
        let id = status.endpoint.id
        switch status.health {
        case .up: return "up"
        case .down(.failedChecks): return "down"
        case .down(.ejected): return "ejected"
        case .draining: return membership.drained.contains(id) ? "drained" : membership.maintenance.contains(id) ? "maint" : "draining"
        }
    }

    /// Notes every endpoint's state and in-flight count (and each backend's in-flight total,
    /// under the endpoint ID "") in the ledger; returns the ledger as it then is.
    @discardableResult
    private func observe(_ groups: [BackendGroup], at time: Double) -> EndpointStateLedger {
        var seen: [(backend: String, endpoint: String, state: String, inFlight: Int)] = []
        // Drained endpoints leave the balancer but stay listed: their entries stay too.
        var kept: Set<String> = []
        for group in groups {
            let membership = group.membershipSnapshot()
            var total = 0
            for status in group.balancer.status() {
                seen.append((group.name, status.endpoint.id, Self.state(of: status, membership: membership), status.inFlight))
                total += status.inFlight
            }
            seen.append((group.name, "", "backend", total))
            for endpoint in membership.announced { kept.insert(EndpointStateLedger.key(backend: group.name, endpoint: endpoint.id)) }
        }
        for entry in seen { kept.insert(EndpointStateLedger.key(backend: entry.backend, endpoint: entry.endpoint)) }
        return ledger.withLockedValue { ledger in
            for entry in seen {
                ledger.observe(backend: entry.backend, endpoint: entry.endpoint, state: entry.state, inFlight: entry.inFlight, at: time)
            }
            ledger.retain(kept)
            return ledger
        }
    }

    /// Dates state changes between looks: the runtime calls it every second.
    func observeStates() {
        observe(view().backends, at: Date().timeIntervalSince1970)
    }

    /// An endpoint's merged intervals as chart points, dated on the wall clock.
    static func historyPoints(_ samples: [RequestHistorySample], nowWall: Double, nowUptime: UInt64) -> [ProxyStatus.HistoryPoint] {
        let interval = Double(RequestHistoryRing.defaultIntervalNanoseconds)
        return samples.map { sample in
            let startUptime = Double(sample.epoch) * interval
            return ProxyStatus.HistoryPoint(
                start: nowWall - (Double(nowUptime) - startUptime) / 1e9,
                requests: sample.requests, errors: sample.errors,
                p50: sample.latency(quantile: 0.5), p99: sample.latency(quantile: 0.99))
        }
    }

    static func dnsStatus(_ watcher: EndpointWatcher<ContinuousClock>, now: ContinuousClock.Instant) -> ProxyStatus.DNS {
        let stats = watcher.statistics()
        func seconds(_ instant: ContinuousClock.Instant?) -> Double? {
            guard let instant else { return nil }
            let (whole, atto) = (now - instant).components
            return Double(whole) + Double(atto) / 1e18
        }
        return ProxyStatus.DNS(
            name: watcher.name, queries: stats.resolver.queries, timeouts: stats.resolver.timeouts,
            truncations: stats.resolver.truncations, tcpRetries: stats.resolver.tcpRetries,
            droppedAnswers: stats.resolver.droppedMismatchedAnswers + stats.resolver.droppedMalformedAnswers,
            successfulRefreshes: stats.successfulRefreshes, failedRefreshes: stats.failedRefreshes,
            secondsSinceLastAnswer: seconds(stats.lastSuccessfulRefresh), secondsSinceLastChange: seconds(stats.lastUpdate),
            lastError: stats.lastError.map { "\($0)" })
    }

    /// `/metrics` as Prometheus text.
    func metricsText() async -> String {
        let counters = await requestCounters()
        let status = await status(counters: counters)
        let resolvers = resolverStatuses()
        return exposition.render(
            requests: counters.snapshot, backendNames: counters.backendNames, status: status,
            dns: resolvers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            accessLog: accessLog?.counters)
    }

    /// What an override request came to.
    enum OverrideOutcome: Equatable {
        case applied
        case unknownBackend
        case unknownEndpoint
        case refused(String)
    }

    func apply(_ override: BackendGroup.Override, backend: String, endpoint: String) -> OverrideOutcome {
        guard let group = backends.first(where: { $0.name == backend }) else { return .unknownBackend }
        do {
            return try group.apply(override, to: endpoint) ? .applied : .unknownEndpoint
        } catch {
            return .refused("\(error)")
        }
    }

    /// Asks the backend's SRV watcher to resolve now. False for unknown or static backends.
    func refreshDNS(backend: String) -> Bool {
        guard let watch = view().watches[backend] else { return false }
        watch.watcher.refreshNow()
        return true
    }
}
