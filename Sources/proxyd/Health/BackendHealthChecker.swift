import LoadBalance
import Logging
import NIOCore
import NIOConcurrencyHelpers

/// Runs the active health checks of one backend: the thin driver around a
/// ``HealthCheckSchedule``.
///
/// `run()` is one task per backend that sleeps until the next probe is due (or the next look
/// at the membership), reads the balancer's members, starts the due probes on the group's
/// event loops and goes back to sleep. Each probe's verdict is handed to the schedule and,
/// unless the endpoint left meanwhile, to `LoadBalancer.recordHealthCheck`, directly on the
/// event loop that ran the probe. The schedule sits behind a mutex held only for the few
/// microseconds of a state machine call; no thread ever waits on I/O.
///
/// Membership is read from `LoadBalancer.status(now:)` every `membershipRefresh` (half the
/// interval, at most 500 ms): an endpoint DNS adds is probed within that time, one it removes
/// stops being probed. A probe that outlived its interval is followed by the next one at the
/// next wake-up, at most `membershipRefresh` after it ended. Up/down flips are noticed at the same look and logged with the reason
/// — the last probe's result (`timeout after 1s`, `connection refused`, `status 503`).
final class BackendHealthChecker: Sendable {
    let backend: BackendGroup
    let probe: HealthProbe
    /// How often the balancer's membership and verdicts are read.
    let membershipRefresh: Duration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let schedule: NIOLockedValueBox<HealthCheckSchedule>

    /// A checker for `backend` with the check its configuration gives, or nil when it has none.
    convenience init?(backend: BackendGroup, group: any EventLoopGroup, logger: Logger) {
        guard let check = backend.configuration.healthCheck else { return nil }
        self.init(backend: backend, check: check, group: group, logger: logger)
    }

    init(backend: BackendGroup, check: HealthCheckConfiguration, jitter: Double = 0.1, group: any EventLoopGroup, logger: Logger) {
        self.backend = backend
        self.probe = HealthProbe(configuration: check)
        self.membershipRefresh = min(max(check.interval / 2, .milliseconds(20)), .milliseconds(500))
        self.group = group
        self.logger = logger
        // A zero interval (the file allows `0s`) would probe back to back; 10 ms is the floor.
        self.schedule = NIOLockedValueBox(HealthCheckSchedule(interval: max(check.interval, .milliseconds(10)), jitter: jitter))
    }

    /// The check state of every endpoint being checked.
    func statuses() -> [HealthCheckStatus] {
        schedule.withLockedValue { $0.statuses(backend: backend.name) }
    }

    /// Probes until the task is cancelled (graceful shutdown). Probes still in flight then
    /// end on their own within the timeout.
    func run() async {
        logger.info("health checks running", metadata: [
            "backend": "\(backend.name)", "probe": "\(probe.kind)",
            "interval": "\(ConfigDuration.format(schedule.withLockedValue { $0.interval }))", "timeout": "\(ConfigDuration.format(probe.timeout))",
        ])
        var random = SystemRandomNumberGenerator()
        var nextMembershipRead = ContinuousClock.now
        while !Task.isCancelled {
            let now = ContinuousClock.now
            if now >= nextMembershipRead {
                readMembership(now: now)
                nextMembershipRead = now + membershipRefresh
            }
            let probes = schedule.withLockedValue { $0.startDueProbes(now: now, using: &random) }
            for probe in probes { start(probe) }
            let wake = min(nextMembershipRead, schedule.withLockedValue { $0.nextDue } ?? nextMembershipRead)
            do {
                try await Task.sleep(until: wake, clock: .continuous)
            } catch {
                return
            }
        }
    }

    /// Takes the balancer's current members (not the draining ones) and logs flips.
    private func readMembership(now: ContinuousClock.Instant) {
        let members = backend.balancer.status(now: now).compactMap { status -> HealthCheckSchedule.Member? in
            let verdict: HealthCheckSchedule.Verdict?
            switch status.health {
            case .draining: return nil
            case .up: verdict = .up
            case .down(.failedChecks): verdict = .down
            case .down(.ejected): verdict = nil
            }
            let target = HealthCheckSchedule.Target(id: status.endpoint.id, address: status.endpoint.address, port: status.endpoint.port)
            return HealthCheckSchedule.Member(target: target, verdict: verdict)
        }
        let transitions = schedule.withLockedValue { $0.reconcile(members, now: now) }
        for transition in transitions { log(transition) }
    }

    private func log(_ transition: HealthCheckSchedule.Transition) {
        let reason = transition.lastResult.map { "\($0)" } ?? "no check finished yet"
        switch transition.verdict {
        case .down:
            logger.warning("endpoint down: failed health checks", metadata: [
                "backend": "\(backend.name)", "endpoint": "\(transition.endpointID)", "reason": "\(reason)",
            ])
        case .up:
            logger.info("endpoint up: passed health checks", metadata: [
                "backend": "\(backend.name)", "endpoint": "\(transition.endpointID)", "reason": "\(reason)",
            ])
        }
    }

    private func start(_ probe: HealthCheckSchedule.Probe) {
        self.probe.run(address: probe.target.address, port: probe.target.port, on: group.next()).whenSuccess { result in
            self.finish(probe, result: result)
        }
    }

    private func finish(_ probe: HealthCheckSchedule.Probe, result: ProbeResult) {
        let now = ContinuousClock.now
        let completion = schedule.withLockedValue { $0.finish(probe, result: result, now: now) }
        guard case .record(let endpointID, let passed) = completion else { return }
        do {
            try backend.balancer.recordHealthCheck(endpointID: endpointID, passed: passed, now: now)
        } catch {
            // The endpoint left between the probe's end and now: nothing to record.
            logger.debug("health check result dropped", metadata: ["backend": "\(backend.name)", "endpoint": "\(endpointID)", "error": "\(error)"])
            return
        }
        logger.trace("health check", metadata: ["backend": "\(backend.name)", "endpoint": "\(endpointID)", "result": "\(result)"])
    }
}
