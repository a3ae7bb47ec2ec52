import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

/// `proxyd run --config FILE`: runs the proxy until SIGTERM or SIGINT, then shuts down
/// gracefully (stop accepting, finish in-flight requests, exit 0).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy with a configuration file (YAML or haproxy.cfg)."
    )

    @Option(name: .shortAndLong, help: "The configuration file: proxyd YAML (*.yaml, *.yml) or haproxy.cfg (*.cfg).")
    var config: String

    @Option(help: "Event loop threads (default: one per core, or `threads` from the file).")
    var threads: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of: trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let loaded = try loadConfigurationOrExit(config)
        bootstrapLogging(level: logLevel)
        let logger = Logger(label: "proxyd")
        for warning in loaded.warnings { logger.warning("\(warning)") }
        let threadCount = threads ?? loaded.configuration.threads ?? System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threadCount)
        // One registry for /metrics: proxyd's own collectors and anything recorded through
        // swift-metrics (libraries, future instrumentation).
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        // POST /api/reload: not wired yet — SIGHUP reload lands separately and is connected
        // here once merged; until then the API answers 501 "reload not wired".
        let runtime = try ProxyRuntime(
            configuration: loaded.configuration, group: group, logger: logger,
            metricsRegistry: registry, reload: .notWired)
        try await runtime.bindListeners()
        let services = ServiceGroup(configuration: .init(
            services: [.init(service: runtime)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await services.run()
        try? await group.shutdownGracefully()
    }
}
