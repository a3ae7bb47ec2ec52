import HTTPCore
import LoadBalance
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

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
    private let boundListeners = Mutex<[(name: String, channel: any Channel)]>([])

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
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let state = loopStates[ObjectIdentifier(channel.eventLoop)] else {
                            throw RuntimeError.unknownEventLoop
                        }
                        try channel.pipeline.syncOperations.addHandler(HTTPServerCodec(limits: context.parserLimits))
                        try channel.pipeline.syncOperations.addHandler(ProxyServerHandler(listener: context, loop: state))
                    }
                }
                .bind(host: listener.bind.host, port: listener.bind.port).get()
            boundListeners.withLock { $0.append((listener.name, channel)) }
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
        if boundListeners.withLock({ $0.isEmpty }) {
            try await bindListeners()
        }
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops accepting, waits up to the shutdown grace for connections to finish, closes the rest.
    func shutdown() async {
        let listeners = boundListeners.withLock { listeners in
            defer { listeners = [] }
            return listeners
        }
        for (_, channel) in listeners { try? await channel.close() }
        logger.info("stopped accepting; closing pooled connections")
        for state in loopStates.values {
            try? await state.eventLoop.submit { state.closeAll() }.get()
        }
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
