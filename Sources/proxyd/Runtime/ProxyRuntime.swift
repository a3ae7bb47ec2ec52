import HTTPCore
import LoadBalance
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Prometheus
import SRVDiscovery
import ServiceLifecycle
import TLSTerm

/// A running proxy as a swift-service-lifecycle `Service`: the listening sockets, and the
/// configuration-derived state behind them as a swappable generation.
///
/// `run()` binds every listener (unless `bindListeners()` already did), starts discovery,
/// health checks and certificate watching, then waits for graceful shutdown (SIGTERM/SIGINT
/// through the `ServiceGroup`): it stops accepting, lets in-flight exchanges finish within
/// `timeouts.shutdownGrace`, then closes what is left.
///
/// `reload(configuration:)` (SIGHUP, the admin API) swaps in a new configuration without
/// dropping a connection — see ``ConfigurationDiff`` for what is kept. Everything that can fail
/// (certificates, backends, new binds) is done before anything is swapped, so a refused reload
/// leaves the running configuration exactly as it was. Reloads and shutdown run one at a time.
final class ProxyRuntime: Service, Sendable {
    let group: any EventLoopGroup
    /// `limits.max_connections` over every listener.
    let connectionLimiter: ConnectionLimiter
    /// The file `reload()` reads again (nil when the configuration was built in code).
    let configurationPath: String?
    let loops: [any EventLoop]
    let loopConnections: [ObjectIdentifier: LoopConnections]
    let logger: Logger
    let state: NIOLockedValueBox<State>
    /// The last queued reload or shutdown; the next one waits for it (FIFO).
    private let serialQueue = NIOLockedValueBox<Task<Void, Never>?>(nil)
    let reloadStatistics = NIOLockedValueBox(ReloadStatistics())
    /// The access log writer when `access_log` is configured; `reopen()` it after logrotate.
    /// Set at start: a reload does not change the access log (restart for that).
    let accessLog: AccessLogWriter?
    /// With `chroot`: the directories of the configuration file and of every certificate,
    /// opened before the chroot so reloads still read them (see ``ChrootJail``).
    let pinnedDirectories: PinnedDirectories?
    /// What the admin listener reads and changes (also usable without it, e.g. by tests).
    let inspector: ProxyInspector
    private let adminChannel = NIOLockedValueBox<(any Channel)?>(nil)
    /// The runtime API socket (`stats socket`), once bound; see `ProxyRuntime+StatsSocket`.
    let statsSocketChannel = NIOLockedValueBox<(any Channel)?>(nil)

    struct State: Sendable {
        enum Phase: Sendable { case created, running, stopped }
        var phase = Phase.created
        var configuration: ProxyConfiguration
        var backends: [String: BackendRuntime]
        /// In configuration order.
        var listeners: [ListenerSlot]
        /// One resolver per `resolvers` section, kept while the section is unchanged.
        var resolvers: [String: (section: ResolverSection, dns: DNSResolver)]
        /// The certificate watch of every TLS context in use.
        var certificateWatches: [ObjectIdentifier: Task<Void, Never>] = [:]
        var sweeps: [RepeatedTask] = []
        var timeoutSweepsStarted = false
    }

    /// - Parameters:
    ///   - metricsRegistry: where `/metrics` is rendered; pass the registry swift-metrics was
    ///     bootstrapped with so that its metrics are served too.
    init(configuration: ProxyConfiguration, group: any EventLoopGroup, configurationPath: String? = nil, logger: Logger,
         metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) throws {
        self.group = group
        self.logger = logger
        self.configurationPath = configurationPath
        let pinned = configuration.chroot == nil ? nil : PinnedDirectories()
        if let pinned, let configurationPath { pinned.pin(directoryOf: configurationPath) }
        if let pinned {
            for file in ConfigurationFileAccess.referencedFiles(of: configuration) { pinned.pin(directoryOf: file) }
        }
        self.pinnedDirectories = pinned
        let loops = Array(group.makeIterator())
        self.loops = loops
        let accessLog = try configuration.accessLog.map { log in
            try AccessLogWriter(format: log.format == .json ? .json : .httplog, path: log.path, syslog: log.syslog,
                                logNullConnections: log.logNullConnections, logger: logger)
        }
        self.accessLog = accessLog
        var connections: [ObjectIdentifier: LoopConnections] = [:]
        for loop in loops { connections[ObjectIdentifier(loop)] = LoopConnections(eventLoop: loop, backendNames: [], accessLog: accessLog) }
        self.loopConnections = connections
        self.connectionLimiter = ConnectionLimiter(limit: configuration.limits.maxConnections)

        var resolvers: [String: (section: ResolverSection, dns: DNSResolver)] = [:]
        let backends = try Self.makeBackends(for: configuration, reusing: [:], resolvers: &resolvers, loops: loops, group: group, logger: logger)
        var listeners: [ListenerSlot] = []
        for listener in configuration.listeners {
            // Certificates load now, so that a bad one stops `run` before anything is bound.
            let tls = try listener.tls.map { try ListenerTLS.context(for: $0, logger: logger, pinned: pinned) }
            let generation = Self.makeGeneration(listener, of: configuration, backends: backends, tls: tls, connections: connections)
            listeners.append(ListenerSlot(bind: listener.bind, generation: generation))
        }
        let state = NIOLockedValueBox(State(configuration: configuration, backends: backends, listeners: listeners, resolvers: resolvers))
        self.state = state
        self.inspector = ProxyInspector(
            view: { state.withLockedValue { Self.inspectorView($0) } },
            loops: loops.compactMap { connections[ObjectIdentifier($0)] },
            accessLog: accessLog, registry: metricsRegistry)
        for (loop, backends) in Self.loopBackends(of: Array(backends.values), loops: loops) {
            guard let target = connections[loop] else { continue }
            target.eventLoop.execute { target.replaceBackends(adding: backends, retiring: []) }
        }
    }

    // MARK: What the current generation holds

    /// What the admin listener sees of the generation in `state`.
    private static func inspectorView(_ state: State) -> ProxyInspector.View {
        let ordered = state.configuration.backends.compactMap { state.backends[$0.name] }
        var watches: [String: (watcher: EndpointWatcher<ContinuousClock>, resolverName: String)] = [:]
        for backend in ordered {
            if let watcher = backend.watcher, let resolver = backend.resolverName { watches[backend.name] = (watcher, resolver) }
        }
        var tls: [(listener: String, context: TLSServerContext)] = []
        for slot in state.listeners {
            let generation = slot.current
            if let context = generation.tls { tls.append((generation.name, context)) }
        }
        return ProxyInspector.View(
            backends: ordered.map(\.group), watches: watches, tlsContexts: tls,
            healthChecks: HealthCheckWiring(checkers: ordered.compactMap(\.healthChecker)),
            configuration: state.configuration)
    }

    /// Binds the admin listener when `admin:` is configured; returns its address. Its
    /// `POST /api/reload` runs ``reload()``, the same reload as SIGHUP.
    @discardableResult
    func bindAdmin() async throws -> SocketAddress? {
        guard let admin = configuration.admin else { return nil }
        let reload = AdminReloadAction { [weak self] in
            guard let self else { return (false, "the proxy is stopping") }
            do {
                let summary = try await self.reload()
                return (true, "\(summary)")
            } catch {
                return (false, "\(error)")
            }
        }
        let router = AdminRouter(inspector: inspector, token: admin.token, reload: reload)
        let channel = try await AdminServer.bind(configuration: admin, router: router, group: group, logger: logger)
        adminChannel.withLockedValue { $0 = channel }
        return channel.localAddress
    }

    /// The configuration being served.
    var configuration: ProxyConfiguration { state.withLockedValue { $0.configuration } }

    /// The current backend groups by name.
    var backends: [String: BackendGroup] {
        state.withLockedValue { $0.backends.mapValues(\.group) }
    }

    /// Active health checks of the current backends (`healthChecks.statuses()` for the stats page).
    var healthChecks: HealthCheckWiring {
        state.withLockedValue { state in
            HealthCheckWiring(checkers: state.configuration.backends.compactMap { state.backends[$0.name]?.healthChecker })
        }
    }

    /// The TLS state of each TLS listener, by listener name.
    var tlsContexts: [String: TLSServerContext] {
        state.withLockedValue { state in
            var contexts: [String: TLSServerContext] = [:]
            for slot in state.listeners {
                let generation = slot.current
                if let tls = generation.tls { contexts[generation.name] = tls }
            }
            return contexts
        }
    }

    /// Reloads applied and refused so far.
    var reloads: ReloadStatistics { reloadStatistics.withLockedValue { $0 } }

    // MARK: Building a generation

    /// The backends of `configuration`: those named in `reusing` are kept as they are, the
    /// others are built (not started).
    ///
    /// A replaced SRV backend that still follows the same SRV name starts with the endpoints
    /// the one it replaces knows (`previous`): otherwise it would have none — every request a
    /// 503 — until its new watcher's first answer.
    static func makeBackends(
        for configuration: ProxyConfiguration, reusing kept: [String: BackendRuntime],
        previous: [String: BackendRuntime] = [:],
        resolvers: inout [String: (section: ResolverSection, dns: DNSResolver)],
        loops: [any EventLoop], group: any EventLoopGroup, logger: Logger
    ) throws(ReloadError) -> [String: BackendRuntime] {
        var backends: [String: BackendRuntime] = [:]
        for backend in configuration.backends {
            if let existing = kept[backend.name] {
                backends[backend.name] = existing
                continue
            }
            var section: ResolverSection?
            var dns: DNSResolver?
            if case .srv(let srv) = backend.membership, let resolverSection = configuration.resolver(named: srv.resolver) {
                section = resolverSection
                if let existing = resolvers[resolverSection.name], existing.section.ignoringLocations == resolverSection.ignoringLocations {
                    dns = existing.dns
                } else {
                    do {
                        let created = DNSResolver(configuration: try DiscoveryWiring.resolverConfig(for: resolverSection), group: group, logger: logger)
                        resolvers[resolverSection.name] = (resolverSection, created)
                        dns = created
                    } catch {
                        throw .backend(name: backend.name, location: resolverSection.location, problem: "resolvers '\(resolverSection.name)': \(error)")
                    }
                }
            }
            var seed: [LoadBalance.Endpoint] = []
            if case .srv(let srv) = backend.membership, let replaced = previous[backend.name],
               case .srv(let old) = replaced.group.configuration.membership, old.name == srv.name {
                seed = replaced.group.balancer.status().filter { $0.health != .draining }.map(\.endpoint)
            }
            do {
                backends[backend.name] = try BackendRuntime(
                    configuration: backend, resolverSection: section, dns: dns, seed: seed, loops: loops, group: group, logger: logger)
            } catch {
                throw .backend(name: backend.name, location: backend.location, problem: "\(error)")
            }
        }
        return backends
    }

    static func makeGeneration(
        _ listener: ListenerConfiguration, of configuration: ProxyConfiguration, backends: [String: BackendRuntime],
        tls: TLSServerContext?, connections: [ObjectIdentifier: LoopConnections]
    ) -> ListenerGeneration {
        let context = ListenerContext(
            configuration: listener,
            router: RequestRouter(listener: listener, backends: configuration.backends),
            timeouts: configuration.timeouts,
            parserLimits: HTTPParserLimits(configuration.limits),
            errorPages: ErrorPageTable.make(listener: listener, backends: configuration.backends)
        )
        var states: [ObjectIdentifier: LoopLocalState] = [:]
        for (loop, loopConnections) in connections {
            var loopBackends: [String: LoopBackend] = [:]
            for (name, backend) in backends { loopBackends[name] = backend.loopBackends[loop] }
            states[loop] = LoopLocalState(connections: loopConnections, backends: loopBackends)
        }
        return ListenerGeneration(context: context, tls: tls, loops: states)
    }

    /// The per-loop parts of `backends`, grouped by loop.
    static func loopBackends(of backends: [BackendRuntime], loops: [any EventLoop]) -> [ObjectIdentifier: [LoopBackend]] {
        var byLoop: [ObjectIdentifier: [LoopBackend]] = [:]
        for loop in loops {
            byLoop[ObjectIdentifier(loop)] = backends.compactMap { $0.loopBackends[ObjectIdentifier(loop)] }
        }
        return byLoop
    }

    // MARK: Binding

    /// Binds every listener not bound yet. Returns the bound addresses by listener name
    /// (useful with port 0).
    @discardableResult
    func bindListeners() async throws(ListenerBindError) -> [String: SocketAddress] {
        let (configuration, slots) = state.withLockedValue { ($0.configuration, $0.listeners) }
        var addresses: [String: SocketAddress] = [:]
        for (listener, slot) in zip(configuration.listeners, slots) {
            if slot.channel == nil {
                try await bind(slot, listener)
            }
            if let address = slot.channel?.localAddress { addresses[listener.name] = address }
        }
        if adminChannel.withLockedValue({ $0 == nil }) {
            do {
                try await bindAdmin()
            } catch {
                throw ListenerBindError(admin: configuration.admin, error: error)
            }
        }
        return addresses
    }

    func bind(_ slot: ListenerSlot, _ listener: ListenerConfiguration) async throws(ListenerBindError) {
        startTimeoutSweeps()
        // The global limit, and the listener's own when it has one (read at bind: a reload
        // that changes a kept listener's max_connections applies at the next restart).
        let limiters = [connectionLimiter] + (listener.maxConnections.map { [ConnectionLimiter(limit: $0)] } ?? [])
        let generation = slot.generation
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(AcceptLimitHandler(limiters: limiters))
                    }
                }
                // `.tcpOption`: `.socketOption(.tcp_nodelay)` would set SOL_SOCKET option 1, SO_DEBUG, which
                // needs CAP_NET_ADMIN — every accept failed once root was dropped.
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                // A client's FIN ends its input only (RFC 9112 §9.6): the requests it sent
                // before are still answered (`printf 'GET …' | nc`); ProxyServerHandler closes.
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                // Idle connections are most connections: start reads at 512 bytes (the adaptive
                // allocator grows for busy ones) and keep NIO's default of 4 reads per wake-up,
                // which also sizes each channel's pooled receive buffers (bench-peers measured
                // 5.9 KB per idle connection with 2 KB / 16).
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // The generation current at accept: the connection keeps it until it closes.
                        let current = generation.withLockedValue { $0 }
                        guard let state = current.loops[ObjectIdentifier(channel.eventLoop)] else {
                            throw RuntimeError.unknownEventLoop
                        }
                        if let tls = current.tls {
                            try channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: tls, allowHalfClosure: true))
                        }
                        let codec = HTTPServerCodec(limits: current.context.parserLimits)
                        try channel.pipeline.syncOperations.addHandler(codec)
                        try channel.pipeline.syncOperations.addHandler(ProxyServerHandler(listener: current.context, loop: state, codec: codec))
                    }
                }
                .bind(host: listener.bind.host, port: listener.bind.port).get()
        } catch {
            throw ListenerBindError(listener: listener, error: error)
        }
        slot.channel = channel
        logger.info("listening", metadata: ["listener": "\(listener.name)", "address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
    }

    // MARK: Running

    func run() async throws {
        if state.withLockedValue({ $0.listeners.contains { $0.channel == nil } }) {
            try await bindListeners()
        }
        startBackgroundWork()
        try? await gracefulShutdown()
        await serialized { await self.shutdown() }
    }

    /// Starts discovery, health checks, certificate watching and pool sweeps.
    private func startBackgroundWork() {
        let (backends, slots) = state.withLockedValue { state in
            state.phase = .running
            return (Array(state.backends.values), state.listeners)
        }
        for backend in backends { backend.start() }
        reconcileCertificateWatches(slots: slots)
        var sweeps: [RepeatedTask] = []
        for connections in loopConnections.values {
            sweeps.append(connections.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                connections.sweep(now: .now())
            })
        }
        // The stats page's state history (last change, downtime, peak in flight) is dated
        // by this tick when nobody is looking; it reads the balancers, no request path.
        if let first = loopConnections.values.first {
            let inspector = self.inspector
            sweeps.append(first.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                inspector.observeStates()
            })
        }
        state.withLockedValue { $0.sweeps += sweeps }
    }

    /// Client timeouts are deadlines checked every 100 ms on each loop (acted on at most
    /// 100 ms late). The checks start with the first bind, not with ``run()``: a connection
    /// accepted before the rest of the runtime has started (privilege drop, service start-up,
    /// a slow machine) must be timed out like any other, or a slowloris client holds it until
    /// then.
    private func startTimeoutSweeps() {
        let start = state.withLockedValue { state -> Bool in
            guard !state.timeoutSweepsStarted, state.phase != .stopped else { return false }
            state.timeoutSweepsStarted = true
            return true
        }
        guard start else { return }
        var sweeps: [RepeatedTask] = []
        for connections in loopConnections.values {
            sweeps.append(connections.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
                connections.checkTimeouts(now: .now())
            })
        }
        state.withLockedValue { $0.sweeps += sweeps }
    }

    /// Watches the certificate files of every TLS context in use (certbot renews by swapping
    /// symlinks: poll, and reload once the files settle) and stops watching the others.
    func reconcileCertificateWatches(slots: [ListenerSlot]) {
        var inUse: [ObjectIdentifier: CertificateStore] = [:]
        for slot in slots {
            if let tls = slot.current.tls { inUse[ObjectIdentifier(tls)] = tls.certificates }
        }
        state.withLockedValue { state in
            for (id, task) in state.certificateWatches where inUse[id] == nil {
                task.cancel()
                state.certificateWatches[id] = nil
            }
            for (id, store) in inUse where state.certificateWatches[id] == nil {
                state.certificateWatches[id] = Task { await store.watch(every: .seconds(5)) }
            }
        }
    }

    /// Runs `work` after every reload or shutdown queued before it, and before any queued after.
    func serialized<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        let task: Task<T, Never> = serialQueue.withLockedValue { last in
            let previous = last
            let task = Task {
                await previous?.value
                return await work()
            }
            last = Task { _ = await task.value }
            return task
        }
        return await task.value
    }

    /// Stops accepting, lets every exchange in flight finish (idle keep-alive connections close
    /// at once, busy ones after their response) for up to `timeouts.shutdownGrace`, then closes
    /// what is left and the pooled backend connections.
    func shutdown() async {
        let (configuration, backends, slots, watches, sweeps) = state.withLockedValue { state in
            state.phase = .stopped
            defer { state.certificateWatches = [:]; state.sweeps = [] }
            return (state.configuration, Array(state.backends.values), state.listeners, Array(state.certificateWatches.values), state.sweeps)
        }
        for task in watches { task.cancel() }
        for sweep in sweeps { sweep.cancel() }
        // Draining first, so that every response written from now on says Connection: close,
        // however the closing of the listeners is scheduled.
        for connections in loopConnections.values {
            try? await connections.eventLoop.submit { connections.beginDraining() }.get()
        }
        for slot in slots {
            try? await slot.channel?.close()
            slot.channel = nil
        }
        for backend in backends { await backend.stop() }
        let deadline = ContinuousClock.now + configuration.timeouts.shutdownGrace
        var open = await openClientCount()
        logger.info("stopped accepting; draining", metadata: ["open_connections": "\(open)"])
        while open > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            open = await openClientCount()
        }
        if open > 0 {
            logger.warning("shutdown grace over; closing connections", metadata: ["open_connections": "\(open)"])
        }
        for connections in loopConnections.values {
            try? await connections.eventLoop.submit {
                connections.closeClients()
                connections.closeAll()
            }.get()
        }
        if let admin = adminChannel.withLockedValue({ channel in
            defer { channel = nil }
            return channel
        }) {
            try? await admin.close()
        }
        await closeStatsSocket()
        accessLog?.close()
        logger.info("stopped")
    }

    private func openClientCount() async -> Int {
        var total = 0
        for connections in loopConnections.values {
            total += (try? await connections.eventLoop.submit { connections.openClientCount }.get()) ?? 0
        }
        return total
    }

    enum RuntimeError: Error {
        case unknownEventLoop
    }
}

extension HTTPParserLimits {
    /// The parser limits a configuration asks for.
    init(_ limits: LimitConfiguration) {
        var parserLimits = HTTPParserLimits.default
        parserLimits.maxStartLineLength = limits.maxRequestLine
        parserLimits.maxHeaderSectionSize = limits.maxHeaderBytes
        parserLimits.maxFieldCount = limits.maxHeaders
        parserLimits.maxBodySize = limits.maxBodyBytes
        self = parserLimits
    }
}
