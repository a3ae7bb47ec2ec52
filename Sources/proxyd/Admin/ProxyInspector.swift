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

    /// Every loop's counters, summed (one task submitted to each loop).
    func requestCounters() async -> (snapshot: LoopMetrics.Snapshot, backendNames: [String]) {
        var names = [""]
        var total: LoopMetrics.Snapshot?
        for loop in loops {
            guard let (snapshot, loopNames) = try? await loop.eventLoop.submit({ (loop.metricsSnapshot(), loop.metrics.backendNames) }).get() else { continue }
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

    /// The whole proxy now; `counters` from ``requestCounters()`` (fetched when nil).
    func status(counters: (snapshot: LoopMetrics.Snapshot, backendNames: [String])? = nil) async -> ProxyStatus {
        let counters = await { () async -> (snapshot: LoopMetrics.Snapshot, backendNames: [String]) in
            if let counters { return counters }
            return await requestCounters()
        }()
        let nowWall = Date().timeIntervalSince1970
        let nowClock = ContinuousClock.now
        let view = self.view()
        var checks: [String: String] = [:]
        for check in view.healthChecks.statuses() {
            if let last = check.lastCheck { checks[check.backend + "|" + check.endpointID] = last.result.description }
        }
        let previous = lastLook.withLockedValue { $0 }
        let elapsed = previous.at > 0 ? nowWall - previous.at : 0
        var currentCounts: [String: Int] = [:]

        var result: [ProxyStatus.Backend] = []
        for group in view.backends {
            let index = counters.backendNames.firstIndex(of: group.name) ?? 0
            let requestsByEndpoint = index > 0 && index < counters.snapshot.endpointRequests.count ? counters.snapshot.endpointRequests[index] : [:]
            let membership = group.membershipSnapshot()
            var endpoints: [ProxyStatus.Endpoint] = []
            var listed: Set<String> = []
            func entry(_ endpoint: LoadBalance.Endpoint, state: String, inFlight: Int) -> ProxyStatus.Endpoint {
                let key = group.name + "|" + endpoint.id
                let requests = requestsByEndpoint[endpoint.id] ?? 0
                currentCounts[key] = requests
                let rate = elapsed > 0.2 ? max(0, Double(requests - (previous.counts[key] ?? requests)) / elapsed) : 0
                let announced = membership.announced.first { $0.id == endpoint.id }
                return ProxyStatus.Endpoint(
                    id: endpoint.id, name: membership.names.name(of: endpoint.id), slot: membership.names.slots[endpoint.id], address: endpoint.address, port: endpoint.port, target: endpoint.target,
                    priority: Int(endpoint.priority), weight: Int(announced?.weight ?? endpoint.weight),
                    weightOverride: membership.weights[endpoint.id].map(Int.init),
                    state: state, inFlight: inFlight, requests: requests, requestRate: rate,
                    lastCheck: checks[key])
            }
            for status in group.balancer.status() {
                let id = status.endpoint.id
                listed.insert(id)
                let state: String
                switch status.health {
                case .up: state = "up"
                case .down(.failedChecks): state = "down"
                case .down(.ejected): state = "ejected"
                case .draining: state = membership.drained.contains(id) ? "drained" : membership.maintenance.contains(id) ? "maint" : "draining"
                }
                endpoints.append(entry(status.endpoint, state: state, inFlight: status.inFlight))
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
            result.append(ProxyStatus.Backend(
                name: group.name, strategy: group.configuration.balance.strategy.rawValue,
                endpoints: endpoints, dns: dns, lastMembershipUpdate: membership.lastUpdate))
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
        return ProxyStatus(backends: result, certificates: certificates, generatedAt: nowWall)
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
