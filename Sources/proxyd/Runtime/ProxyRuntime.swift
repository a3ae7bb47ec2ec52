import HTTPCore
import LoadBalance
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import NIOConcurrencyHelpers
import TLSTerm

/// A running proxy: the listeners of one configuration, its backend groups and the per-loop
/// state, as a swift-service-lifecycle `Service`.
///
/// `run()` binds every listener, then waits for graceful shutdown (SIGTERM/SIGINT through the
/// `ServiceGroup`): it stops accepting, lets in-flight exchanges finish within
/// `timeouts.shutdownGrace`, then closes what is left.
final class ProxyRuntime: Service, Sendable {
    let configuration: ProxyConfiguration
    let group: any EventLoopGroup
    let backends: [String: BackendGroup]
    private let loopStates: [ObjectIdentifier: LoopLocalState]
    private let logger: Logger
    private let discovery: DiscoveryWiring
    /// The TLS state of each TLS listener, by listener name; loaded at start so a bad
    /// certificate stops `run` before anything is bound.
    let tlsContexts: [String: TLSServerContext]
    /// `limits.max_connections` over every listener.
    let connectionLimiter: ConnectionLimiter
    /// Active health checks (Sources/proxyd/Health); `healthChecks.statuses()` for the stats page.
    let healthChecks: HealthCheckWiring
    private let boundListeners = NIOLockedValueBox<[(name: String, channel: any Channel)]>([])

    init(configuration: ProxyConfiguration, group: any EventLoopGroup, logger: Logger) throws {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        var backends: [String: BackendGroup] = [:]
        for backend in configuration.backends {
            backends[backend.name] = try BackendGroup(configuration: backend)
        }
        self.backends = backends
        var states: [ObjectIdentifier: LoopLocalState] = [:]
        for loop in group.makeIterator() {
            states[ObjectIdentifier(loop)] = LoopLocalState(eventLoop: loop, groups: backends)
        }
        self.loopStates = states
        self.discovery = try DiscoveryWiring(configuration: configuration, backends: backends, group: group, logger: logger)
        var tlsContexts: [String: TLSServerContext] = [:]
        for listener in configuration.listeners {
            if let tls = listener.tls {
                tlsContexts[listener.name] = try ListenerTLS.context(for: tls, logger: logger)
            }
        }
        self.tlsContexts = tlsContexts
        self.connectionLimiter = ConnectionLimiter(limit: configuration.limits.maxConnections)
        self.healthChecks = HealthCheckWiring(configuration: configuration, backends: backends, group: group, logger: logger)
    }

    /// Binds every listener. Returns the bound addresses by listener name (useful with port 0).
    @discardableResult
    func bindListeners() async throws -> [String: SocketAddress] {
        var addresses: [String: SocketAddress] = [:]
        for listener in configuration.listeners {
            let context = ListenerContext(
                configuration: listener,
                router: RequestRouter(listener: listener),
                timeouts: configuration.timeouts,
                parserLimits: HTTPParserLimits(configuration.limits)
            )
            let loopStates = self.loopStates
            let tls = tlsContexts[listener.name]
            let limiter = connectionLimiter
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(AcceptLimitHandler(limiter: limiter))
                    }
                }
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                // Idle connections are most connections: start reads at 512 bytes (the adaptive
                // allocator grows for busy ones) and keep NIO's default of 4 reads per wake-up,
                // which also sizes each channel's pooled receive buffers (bench-peers measured
                // 5.9 KB per idle connection with 2 KB / 16).
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let state = loopStates[ObjectIdentifier(channel.eventLoop)] else {
                            throw RuntimeError.unknownEventLoop
                        }
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: tls))
                        }
                        let monitor = ClientInputMonitor()
                        let proxy = ProxyServerHandler(listener: context, loop: state)
                        monitor.observer = proxy
                        try channel.pipeline.syncOperations.addHandler(monitor)
                        try channel.pipeline.syncOperations.addHandler(HTTPServerCodec(limits: context.parserLimits))
                        try channel.pipeline.syncOperations.addHandler(proxy)
                    }
                }
                .bind(host: listener.bind.host, port: listener.bind.port).get()
            boundListeners.withLockedValue { $0.append((listener.name, channel)) }
            if let address = channel.localAddress { addresses[listener.name] = address }
            logger.info("listening", metadata: ["listener": "\(listener.name)", "address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        }
        startPoolSweeps()
        return addresses
    }

    /// Closes idle pooled connections past their timeout, and those of endpoints that left,
    /// once a second on every loop.
    private func startPoolSweeps() {
        for state in loopStates.values {
            state.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                state.sweep(now: .now())
            }
        }
    }

    func run() async throws {
        if boundListeners.withLockedValue({ $0.isEmpty }) {
            try await bindListeners()
        }
        let discovery = self.discovery
        let logger = self.logger
        let stores = tlsContexts.values.map(\.certificates)
        let healthChecks = self.healthChecks
        await withDiscardingTaskGroup { group in
            group.addTask { await discovery.run(logger: logger) }
            group.addTask { await healthChecks.run() }
            for store in stores {
                // certbot renews by swapping symlinks: poll, and reload once the files settle.
                group.addTask { await store.watch(every: .seconds(5)) }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        await shutdown()
    }

    /// Stops accepting, lets every exchange in flight finish (idle keep-alive connections close
    /// at once, busy ones after their response) for up to `timeouts.shutdownGrace`, then closes
    /// what is left and the pooled backend connections.
    func shutdown() async {
        // Draining first, so that every response written from now on says Connection: close,
        // however the closing of the listeners is scheduled.
        for state in loopStates.values {
            try? await state.eventLoop.submit { state.beginDraining() }.get()
        }
        let listeners = boundListeners.withLockedValue { listeners in
            defer { listeners = [] }
            return listeners
        }
        for (_, channel) in listeners { try? await channel.close() }
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
        for state in loopStates.values {
            try? await state.eventLoop.submit {
                state.closeClients()
                state.closeAll()
            }.get()
        }
        logger.info("stopped")
    }

    private func openClientCount() async -> Int {
        var total = 0
        for state in loopStates.values {
            total += (try? await state.eventLoop.submit { state.openClientCount }.get()) ?? 0
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
