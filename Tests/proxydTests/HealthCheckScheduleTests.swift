import Testing
@testable import proxyd

/// The health checker's scheduling and membership rules, driven without sockets or clocks.
@Suite("Health check schedule")
struct HealthCheckScheduleTests {
    typealias Schedule = HealthCheckSchedule
    let start = ContinuousClock.now
    let interval = Duration.seconds(2)

    static func member(_ port: Int, _ verdict: Schedule.Verdict? = .up) -> Schedule.Member {
        Schedule.Member(target: .init(id: "10.0.0.1:\(port)", address: "10.0.0.1", port: port), verdict: verdict)
    }

    @Test("an endpoint that appears is probed at once")
    func newEndpointProbedImmediately() {
        var schedule = Schedule(interval: interval)
        var random = SplitMix64(state: 1)
        _ = schedule.reconcile([Self.member(80), Self.member(81)], now: start)
        let probes = schedule.startDueProbes(now: start, using: &random)
        #expect(probes.map(\.target.id) == ["10.0.0.1:80", "10.0.0.1:81"])

        // One that joins later is due at the moment it is seen, not at the next round.
        let later = start + .milliseconds(700)
        _ = schedule.reconcile([Self.member(80), Self.member(81), Self.member(82)], now: later)
        #expect(schedule.startDueProbes(now: later, using: &random).map(\.target.id) == ["10.0.0.1:82"])
    }

    @Test("at most one probe per endpoint is in flight, however late it is")
    func oneProbeInFlight() {
        var schedule = Schedule(interval: interval)
        var random = SplitMix64(state: 2)
        _ = schedule.reconcile([Self.member(80)], now: start)
        let first = schedule.startDueProbes(now: start, using: &random)
        #expect(first.count == 1)
        #expect(schedule.startDueProbes(now: start + .seconds(60), using: &random).isEmpty)
        #expect(schedule.nextDue == nil)

        // Once it finishes, the overdue endpoint is probed again straight away.
        #expect(schedule.finish(first[0], result: .failed(.timeout(.seconds(60))), now: start + .seconds(60)) == .record(endpointID: "10.0.0.1:80", passed: false))
        #expect(schedule.startDueProbes(now: start + .seconds(60), using: &random).count == 1)
    }

    @Test("the next probe is due one interval after the last one started, within ±10% jitter")
    func intervalWithJitterBounds() throws {
        var schedule = Schedule(interval: interval, jitter: 0.1)
        var random = SplitMix64(state: 3)
        _ = schedule.reconcile([Self.member(80)], now: start)
        var now = start
        var delays: Set<Duration> = []
        for _ in 0..<500 {
            let probes = schedule.startDueProbes(now: now, using: &random)
            try #require(probes.count == 1)
            _ = schedule.finish(probes[0], result: .passed(status: 200), now: now + .milliseconds(5))
            let due = try #require(schedule.nextDue)
            let delay = due - now
            #expect(delay >= .milliseconds(1800) && delay <= .milliseconds(2200))
            // Not due a moment before.
            #expect(schedule.startDueProbes(now: due - .nanoseconds(1), using: &random).isEmpty)
            delays.insert(delay)
            now = due
        }
        // The jitter really varies and uses the whole band.
        #expect(delays.count > 400)
        #expect(delays.contains { $0 < .milliseconds(1850) })
        #expect(delays.contains { $0 > .milliseconds(2150) })
    }

    @Test("without jitter the cadence is exactly the interval, from each probe's start")
    func exactIntervalWithoutJitter() {
        var schedule = Schedule(interval: interval, jitter: 0)
        var random = SplitMix64(state: 4)
        _ = schedule.reconcile([Self.member(80)], now: start)
        let probe = schedule.startDueProbes(now: start, using: &random)[0]
        _ = schedule.finish(probe, result: .passed(status: 200), now: start + .milliseconds(900))
        #expect(schedule.nextDue == start + interval)
    }

    @Test("endpoints that appeared together drift apart")
    func probesSpreadOut() {
        var schedule = Schedule(interval: interval, jitter: 0.1)
        var random = SplitMix64(state: 5)
        _ = schedule.reconcile((0..<20).map { Self.member(8000 + $0) }, now: start)
        let probes = schedule.startDueProbes(now: start, using: &random)
        #expect(probes.count == 20)
        for probe in probes { _ = schedule.finish(probe, result: .passed(status: 200), now: start + .milliseconds(1)) }
        // The second round does not start all at one instant.
        var firstBatch = 0
        if let due = schedule.nextDue { firstBatch = schedule.startDueProbes(now: due, using: &random).count }
        #expect(firstBatch >= 1 && firstBatch < 5)
    }

    @Test("a removed endpoint is no longer probed and its late result is discarded")
    func removedEndpointDropped() {
        var schedule = Schedule(interval: interval)
        var random = SplitMix64(state: 6)
        _ = schedule.reconcile([Self.member(80), Self.member(81)], now: start)
        let probes = schedule.startDueProbes(now: start, using: &random)
        _ = schedule.reconcile([Self.member(81)], now: start + .milliseconds(100))
        #expect(schedule.endpointIDs == ["10.0.0.1:81"])
        #expect(schedule.finish(probes[0], result: .failed(.refused), now: start + .milliseconds(200)) == .discard)
        #expect(schedule.finish(probes[1], result: .passed(status: 200), now: start + .milliseconds(200)) == .record(endpointID: "10.0.0.1:81", passed: true))
        let later = schedule.startDueProbes(now: start + .seconds(10), using: &random)
        #expect(later.map(\.target.id) == ["10.0.0.1:81"])
        #expect(schedule.statuses(backend: "app").map(\.endpointID) == ["10.0.0.1:81"])
    }

    @Test("an endpoint that leaves and comes back ignores the old probe and is probed afresh")
    func returningEndpointIsNewIncarnation() {
        var schedule = Schedule(interval: interval)
        var random = SplitMix64(state: 7)
        _ = schedule.reconcile([Self.member(80)], now: start)
        let old = schedule.startDueProbes(now: start, using: &random)[0]
        _ = schedule.reconcile([], now: start + .milliseconds(10))
        _ = schedule.reconcile([Self.member(80)], now: start + .milliseconds(20))
        let fresh = schedule.startDueProbes(now: start + .milliseconds(20), using: &random)
        #expect(fresh.count == 1)
        #expect(fresh[0].token != old.token)
        #expect(schedule.finish(old, result: .failed(.refused), now: start + .milliseconds(30)) == .discard)
        #expect(schedule.finish(fresh[0], result: .passed(status: 204), now: start + .milliseconds(30)) == .record(endpointID: "10.0.0.1:80", passed: true))
    }

    @Test("a flip of the balancer's verdict is a transition carrying the last probe's result")
    func transitionsCarryReason() {
        var schedule = Schedule(interval: interval)
        var random = SplitMix64(state: 8)
        #expect(schedule.reconcile([Self.member(80, .up)], now: start).isEmpty)
        let probe = schedule.startDueProbes(now: start, using: &random)[0]
        let failure = ProbeResult.failed(.unexpectedStatus(503, expected: 200...399))
        _ = schedule.finish(probe, result: failure, now: start + .milliseconds(3))

        let down = schedule.reconcile([Self.member(80, .down)], now: start + .milliseconds(10))
        #expect(down == [.init(endpointID: "10.0.0.1:80", verdict: .down, lastResult: failure)])
        #expect("\(failure)" == "failed (status 503 (expected 200-399))")
        // Unchanged verdict: nothing to log.
        #expect(schedule.reconcile([Self.member(80, .down)], now: start + .milliseconds(20)).isEmpty)
        // An outlier ejection hides the checks' verdict: no flip either way.
        #expect(schedule.reconcile([Self.member(80, nil)], now: start + .milliseconds(30)).isEmpty)
        #expect(schedule.reconcile([Self.member(80, .up)], now: start + .milliseconds(40)).map(\.verdict) == [.up])
    }

    @Test("an endpoint first seen down is not reported as a transition")
    func firstSightIsNotATransition() {
        var schedule = Schedule(interval: interval)
        #expect(schedule.reconcile([Self.member(80, .down)], now: start).isEmpty)
    }

    @Test("the status snapshot shows each endpoint's last result, its time, and a probe in flight")
    func statusSnapshot() {
        var schedule = Schedule(interval: interval)
        var random = SplitMix64(state: 9)
        _ = schedule.reconcile([Self.member(80), Self.member(81)], now: start)
        let probes = schedule.startDueProbes(now: start, using: &random)
        _ = schedule.finish(probes[0], result: .failed(.refused), now: start + .milliseconds(4))
        let statuses = schedule.statuses(backend: "app")
        #expect(statuses == [
            HealthCheckStatus(backend: "app", endpointID: "10.0.0.1:80",
                              lastCheck: HealthCheckRecord(result: .failed(.refused), startedAt: start, finishedAt: start + .milliseconds(4)),
                              probeInFlight: false),
            HealthCheckStatus(backend: "app", endpointID: "10.0.0.1:81", lastCheck: nil, probeInFlight: true),
        ])
        #expect(statuses[0].lastCheck?.duration == .milliseconds(4))
    }

    @Test("an endpoint whose address changes under the same ID is probed at the new address at once")
    func addressChange() {
        var schedule = Schedule(interval: interval)
        var random = SplitMix64(state: 10)
        _ = schedule.reconcile([Self.member(80)], now: start)
        let old = schedule.startDueProbes(now: start, using: &random)[0]
        let moved = Schedule.Member(target: .init(id: "10.0.0.1:80", address: "10.0.0.9", port: 80), verdict: .up)
        _ = schedule.reconcile([moved], now: start + .milliseconds(5))
        #expect(schedule.startDueProbes(now: start + .milliseconds(5), using: &random).map(\.target.address) == ["10.0.0.9"])
        #expect(schedule.finish(old, result: .passed(status: 200), now: start + .milliseconds(6)) == .discard)
    }
}
