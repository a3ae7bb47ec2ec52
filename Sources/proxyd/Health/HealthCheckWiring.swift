
/// The active health checks of a running proxy: one ``BackendHealthChecker`` per backend that
/// configures a `health_check`, run side by side with discovery.
///
/// Membership comes from discovery (or the file) through each balancer; health comes from
/// these checks, independently. Each ``BackendRuntime`` runs its own checker (so a reload keeps
/// those of unchanged backends); `ProxyRuntime.healthChecks` gathers the current ones.
struct HealthCheckWiring: Sendable {
    let checkers: [BackendHealthChecker]

    init(checkers: [BackendHealthChecker]) {
        self.checkers = checkers
    }

    /// The last check of every checked endpoint, backends in configuration order.
    func statuses() -> [HealthCheckStatus] {
        checkers.flatMap { $0.statuses() }
    }
}
