import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
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
        Self.raiseOpenFileLimit(for: loaded.configuration, logger: logger)
        let threadCount = threads ?? loaded.configuration.threads ?? System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threadCount)
        let runtime = try ProxyRuntime(configuration: loaded.configuration, group: group, logger: logger)
        try await runtime.bindListeners()
        let services = ServiceGroup(configuration: .init(
            services: [.init(service: runtime)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await services.run()
        try? await group.shutdownGracefully()
    }

    /// Raises the soft open-file limit to the hard one (see ``OpenFileLimit``), logs the
    /// result, and warns when the limit is below what `max_connections` can use.
    static func raiseOpenFileLimit(for configuration: ProxyConfiguration, logger: Logger) {
        guard let (before, after) = OpenFileLimit.raiseSoftToHard() else {
            logger.warning("cannot read the open-file limit (RLIMIT_NOFILE)")
            return
        }
        if before != after {
            logger.info("raised the open-file limit", metadata: ["from": "\(before)", "to": "\(after)"])
        } else {
            logger.info("open-file limit", metadata: ["limit": "\(after)"])
        }
        let needed = OpenFileLimit.needed(maxConnections: configuration.limits.maxConnections)
        if let soft = after.soft, soft < needed {
            logger.warning("the open-file limit is below what limits.max_connections can use; accepts will back off on EMFILE", metadata: [
                "limit": "\(soft)", "max_connections": "\(configuration.limits.maxConnections)", "needed": "\(needed)",
            ])
        }
    }
}
