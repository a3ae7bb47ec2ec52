public import LoadBalance
public import Logging
public import ServiceLifecycle
public import SRVDiscovery

/// The tasks behind one DNS SRV name, kept current, and a balancer over them: the one value a
/// Swift service needs to call another service that AWS Cloud Map (or any SRV publisher)
/// announces.
///
/// ```swift
/// let pool = try DiscoveredEndpoints(srv: "_hello-world-service.internal", resolver: .system)
/// // in the service group (or a task group): keeps the pool current until shutdown
/// try await pool.run()
/// // for each call: pick a task, call it, report how it went
/// let reply = try await pool.withEndpoint { endpoint in
///     try await client.get("http://\(endpoint.address):\(endpoint.port)/hello")
/// }
/// ```
///
/// It composes the two libraries below it without either knowing the other: an
/// `EndpointWatcher` (SRVDiscovery) follows the name, each set it yields replaces the
/// membership of a `LoadBalancer` (LoadBalance) and is published to every iterator of this
/// `AsyncSequence`.
///
/// ## Lifecycle
/// The pool does nothing until ``run()`` runs; it conforms to swift-service-lifecycle's
/// `Service`, so add it to the `ServiceGroup` of the service, or call `run()` in a child task.
/// `run()` returns when its task is cancelled or the service group shuts down gracefully;
/// then iterations end, while ``withEndpoint(key:isolation:classify:failure:_:)`` goes on
/// with the last membership, so requests still draining during shutdown can make their
/// calls. No task outlives `run()`.
///
/// ## Calls, health and retries
/// ``withEndpoint(key:isolation:classify:failure:_:)`` reports how each call ended to the
/// balancer: that feeds in-flight counts (power of two choices) and passive outlier
/// detection, so a task that refuses connections is ejected after a few calls while DNS still
/// lists it. A call whose attempt fails with a connection failure is made again on a task it
/// has not tried (``DiscoveredEndpointsConfiguration/maximumAttempts``).
///
/// ## Iterating
/// Iterating yields the current set first, then every change; a slow iterator skips to the
/// latest set. Iteration ends when `run()` returns or the iterating task is cancelled.
public final class DiscoveredEndpoints: AsyncSequence, Service, Sendable {
    /// The sets yielded: the tasks as DNS announced them, with TTLs and SRV targets.
    public typealias Element = EndpointSet
    /// Iteration never throws.
    public typealias Failure = Never

    /// The SRV name followed, as given.
    public let name: String
    /// The settings in use.
    public let configuration: DiscoveredEndpointsConfiguration
    /// The balancer the calls go through: read `LoadBalancer.status(now:)` for a status
    /// page, or feed it active health checks.
    public let balancer: LoadBalancer
    private let watcher: EndpointWatcher<ContinuousClock>
    private let broadcast = EndpointSetBroadcast()
    private let logger: Logger

    /// Creates a pool for `name`; it starts following the name when ``run()`` runs.
    ///
    /// - Parameters:
    ///   - name: the SRV name, e.g. `_hello-world-service.internal` (a name without a
    ///     trailing dot goes through the resolver's search list, as glibc does).
    ///   - resolver: where DNS queries go: `.system` reads `/etc/resolv.conf`.
    ///   - configuration: refresh, balancing and retry settings.
    ///   - logger: where membership changes and DNS failures are logged; nothing by default.
    /// - Throws: ``DiscoveredEndpointsError`` for an unreadable resolv.conf or a resolver
    ///   without nameservers; `LoadBalancerError` for out-of-range balancer settings.
    public init(
        srv name: String,
        resolver: ResolverSource = .system,
        configuration: DiscoveredEndpointsConfiguration = DiscoveredEndpointsConfiguration(),
        logger: Logger = Logger(label: "SRVBalancer", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        let resolverConfig: ResolverConfig
        do {
            resolverConfig = try resolver.resolverConfig()
        } catch {
            throw DiscoveredEndpointsError.resolverConfiguration(error)
        }
        guard !resolverConfig.nameservers.isEmpty else { throw DiscoveredEndpointsError.noNameservers }
        let dns = DNSResolver(configuration: resolverConfig, logger: logger)
        let srv = SRVResolver(resolver: dns, addressPreference: configuration.addressPreference, logger: logger)
        self.name = name
        self.configuration = configuration
        self.balancer = try LoadBalancer(strategy: configuration.strategy, configuration: configuration.balancer)
        self.watcher = EndpointWatcher(name: name, resolver: srv, configuration: configuration.refresh, logger: logger)
        self.logger = logger
    }

    /// Follows the name until the task is cancelled or a graceful shutdown begins: each
    /// changed set becomes the balancer's membership and is yielded to every iterator.
    ///
    /// - Throws: ``DiscoveredEndpointsError/alreadyStarted(name:)`` when called a second time.
    public func run() async throws {
        guard broadcast.start() else { throw DiscoveredEndpointsError.alreadyStarted(name: name) }
        defer { broadcast.finish() }
        let watcher = self.watcher
        await cancelWhenGracefulShutdown { [self] in
            for await set in watcher {
                apply(set)
            }
        }
    }

    /// Asks DNS again now instead of when the TTL says (a deploy that should not wait); the
    /// answer goes through the same grace and hold rules as a scheduled refresh.
    public func refreshNow() {
        watcher.refreshNow()
    }

    /// The current set, or nil before the first DNS answer.
    public var current: EndpointSet? { broadcast.latest?.set }

    /// What the DNS side has done so far (refreshes, failures, the resolver's counters).
    public func statistics() -> EndpointWatcher<ContinuousClock>.Statistics {
        watcher.statistics()
    }

    private func apply(_ set: EndpointSet) {
        do {
            try balancer.update(set.balancerEndpoints)
        } catch {
            // Only out-of-range ports or duplicate ids are refused; neither comes out of a
            // deduplicated SRV answer, but the old membership stays if it ever happens.
            logger.error("endpoint set refused by the balancer", metadata: ["name": "\(name)", "error": "\(error)"])
        }
        broadcast.publish(set)
    }

    /// Picks a task, runs `body` against it and reports how it ended to the balancer;
    /// retries on another task when the attempt failed with a connection failure.
    ///
    /// A call made before the first DNS answer waits for it (at most
    /// ``DiscoveredEndpointsConfiguration/firstAnswerTimeout``).
    ///
    /// Retries: when `failure` says an error is `RequestOutcome.connectionFailure` (every
    /// error is, by default: connection refused or reset, the typical signs of a task that is
    /// gone), `body` runs again on a task not tried yet, up to
    /// ``DiscoveredEndpointsConfiguration/maximumAttempts`` attempts. A connection that broke
    /// after the request was sent may have had an effect: for calls that must not happen twice,
    /// map such errors to another outcome in `failure`, or set `maximumAttempts` to 1.
    ///
    /// - Parameters:
    ///   - key: hash key, for the consistent-hash strategies.
    ///   - isolation: the caller's actor, inferred (`#isolation`); `body` runs on it, so it may
    ///     use the caller's non-`Sendable` state without a hop.
    ///   - classify: turns `body`'s result into an outcome (say `.serverError` for a 5xx
    ///     status); every result is a success by default. A result is returned, never retried.
    ///   - failure: turns an error thrown by `body` into an outcome; `CancellationError` is
    ///     always `RequestOutcome.cancelled` and never retried.
    ///   - body: the call, given the endpoint to call.
    /// - Throws: the error of the last attempt; `LoadBalancerError.noEndpoint(_:)` when
    ///   there is no task to call; ``DiscoveredEndpointsError`` when no DNS answer arrived.
    public func withEndpoint<Result>(
        key: HashKey? = nil,
        isolation: isolated (any Actor)? = #isolation,
        classify: (Result) -> RequestOutcome = { _ in .success },
        failure: (any Error) -> RequestOutcome = { _ in .connectionFailure },
        _ body: (LoadBalance.Endpoint) async throws -> Result
    ) async throws -> Result {
        if broadcast.latest == nil {
            try await waitForFirstAnswer()
        }
        var tried: Set<String> = []
        var lastError: (any Error)?
        for _ in 0..<configuration.maximumAttempts {
            let lease: Lease
            switch balancer.pick(key: key, excluding: tried) {
            case .endpoint(let picked):
                lease = picked
            case .noEndpoint(let reason):
                // Every task tried: the last attempt's error says more than "no endpoint".
                throw lastError ?? LoadBalancerError.noEndpoint(reason)
            }
            let result: Result
            do {
                result = try await body(lease.endpoint)
            } catch {
                let outcome = error is CancellationError ? RequestOutcome.cancelled : failure(error)
                lease.complete(outcome)
                guard outcome == .connectionFailure, !Task.isCancelled else { throw error }
                logger.debug("call failed, trying another endpoint", metadata: ["name": "\(name)", "endpoint": "\(lease.endpoint.id)", "error": "\(error)"])
                tried.insert(lease.endpoint.id)
                lastError = error
                continue
            }
            lease.complete(classify(result))
            return result
        }
        throw lastError ?? LoadBalancerError.noEndpoint(.noEndpoints)
    }

    /// Waits for the first published set, bounded by the configured timeout.
    private func waitForFirstAnswer() async throws {
        let broadcast = self.broadcast
        let timeout = configuration.firstAnswerTimeout
        let arrived = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await broadcast.published(after: 0) != nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if arrived { return }
        try Task.checkCancellation()
        if broadcast.isFinished && broadcast.latest == nil {
            throw DiscoveredEndpointsError.stoppedBeforeFirstAnswer(name: name)
        }
        if broadcast.latest == nil {
            throw DiscoveredEndpointsError.noAnswerYet(name: name, waited: timeout)
        }
    }

    /// Starts an iteration: the current set first (once there is one), then each change.
    public func makeAsyncIterator() -> Iterator {
        Iterator(broadcast: broadcast)
    }

    /// Yields the latest set each time it changes; nil once ``run()`` returned or the
    /// iterating task is cancelled.
    public struct Iterator: AsyncIteratorProtocol {
        private let broadcast: EndpointSetBroadcast
        private var seen: UInt64 = 0

        fileprivate init(broadcast: EndpointSetBroadcast) {
            self.broadcast = broadcast
        }

        /// The next set newer than the last one this iterator returned.
        public mutating func next() async -> EndpointSet? {
            guard let published = await broadcast.published(after: seen) else { return nil }
            seen = published.generation
            return published.set
        }
    }
}
