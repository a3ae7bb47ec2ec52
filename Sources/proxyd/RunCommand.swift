import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `proxyd run --config FILE`: runs the proxy until SIGTERM or SIGINT, then shuts down
/// gracefully (stop accepting, finish in-flight requests, exit 0). SIGHUP reloads the file
/// (see `ProxyRuntime.reload`).
///
/// Start-up order: load and validate the file (certificates included), trap SIGHUP, bind every
/// listener and the runtime API socket (`stats socket`), enter `chroot:` if set
/// (``ChrootJail``), then drop root to `user:` if set — so privileged ports are bound while they
/// can be, and nothing after binding runs as root.
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
        // Until the SIGHUP handler is installed below, a reload signal (systemd may send one
        // as soon as the process exists) is ignored instead of killing the process.
        signal(SIGHUP, SIG_IGN)
        let loaded = try loadConfigurationOrExit(config)
        bootstrapLogging(level: logLevel)
        let logger = Logger(label: "proxyd")
        for warning in loaded.warnings { logger.warning("\(warning)") }
        Self.raiseOpenFileLimit(for: loaded.configuration, logger: logger)
        let threadCount = threads ?? loaded.configuration.threads ?? System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threadCount)
        // Trapped before binding: a SIGHUP sent early must not kill the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // One registry for /metrics: proxyd's own collectors and anything recorded through
        // swift-metrics (libraries, future instrumentation).
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let pidFile = loaded.configuration.pidFile.map(PIDFile.init(path:))
        do {
            try pidFile?.write()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        defer { pidFile?.remove() }
        let runtime: ProxyRuntime
        do {
            runtime = try ProxyRuntime(configuration: loaded.configuration, group: group, configurationPath: config, logger: logger, metricsRegistry: registry)
            try await runtime.bindListeners()
            try await runtime.bindStatsSocket()
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        do {
            // The user database is read before the chroot hides it.
            let target = try loaded.configuration.user.map { user throws(PrivilegeDrop.Failure) in
                try PrivilegeDrop.resolve(user: user, group: loaded.configuration.group)
            }
            if let jail = loaded.configuration.chroot, let pinned = runtime.pinnedDirectories {
                try ChrootJail.enter(jail, pinned: pinned)
                logger.info("chrooted", metadata: ["directory": "\(jail)", "kept_open": .array(pinned.directories.map { "\($0)" })])
            }
            if let target {
                let identity = try PrivilegeDrop.drop(to: target)
                logger.info("running as user \(identity.user)", metadata: ["uid": "\(identity.uid)", "gid": "\(identity.gid)"])
            }
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        let services = ServiceGroup(configuration: .init(
            // Shut down in reverse order: reloads stop before the proxy drains.
            services: [.init(service: runtime), .init(service: ReloadOnSignal(runtime: runtime, signals: hangups))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await services.run()
        try? await group.shutdownGracefully()
    }

    /// Raises the soft open-file limit to the hard one (see ``OpenFileLimit``), logs the
    /// result, and warns when the limit is below what `max_connections` can use.
    static func raiseOpenFileLimit(for configuration: ProxyConfiguration, logger: Logger) {
        let changed = if let limit = configuration.openFileLimit {
            OpenFileLimit.set(to: UInt64(limit))
        } else {
            OpenFileLimit.raiseSoftToHard()
        }
        guard let (before, after) = changed else {
            logger.warning("cannot read the open-file limit (RLIMIT_NOFILE)")
            return
        }
        if before != after {
            logger.info("raised the open-file limit", metadata: ["from": "\(before)", "to": "\(after)"])
        } else {
            logger.info("open-file limit", metadata: ["limit": "\(after)"])
        }
        let needed = OpenFileLimit.needed(maxConnections: configuration.limits.maxConnections)
        if let wanted = configuration.openFileLimit, after.soft != UInt64(wanted) {
            logger.warning("could not set the open-file limit that ulimit-n / open_file_limit asks for (raising the hard limit needs root)", metadata: [
                "wanted": "\(wanted)", "limit": "\(after)",
            ])
        }
        if let soft = after.soft, soft < needed {
            logger.warning("the open-file limit is below what limits.max_connections can use; accepts will back off on EMFILE", metadata: [
                "limit": "\(soft)", "max_connections": "\(configuration.limits.maxConnections)", "needed": "\(needed)",
            ])
        }
    }
}
