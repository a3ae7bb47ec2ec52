import Logging
import NIOCore

/// The active health checks of a running proxy: one ``BackendHealthChecker`` per backend that
/// configures a `health_check`, run side by side with discovery.
///
/// Membership comes from discovery (or the file) through each balancer; health comes from
/// these checks, independently. `ProxyRuntime.run()` runs this until graceful shutdown
/// cancels it.
struct HealthCheckWiring: Sendable {
    let checkers: [BackendHealthChecker]

    init(configuration: ProxyConfiguration, backends: [String: BackendGroup], group: any EventLoopGroup, logger: Logger) {
        checkers = configuration.backends.compactMap { backend in
            backends[backend.name].flatMap { BackendHealthChecker(backend: $0, group: group, logger: logger) }
        }
    }

    /// Probes every backend's endpoints until the task is cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for checker in checkers {
                group.addTask { await checker.run() }
            }
        }
    }

    /// The last check of every checked endpoint, backends in configuration order.
    func statuses() -> [HealthCheckStatus] {
        checkers.flatMap { $0.statuses() }
    }
}
