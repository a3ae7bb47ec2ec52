import Dispatch
import Synchronization
import Testing
@testable import LoadBalance

/// Many threads picking, completing, updating and reporting health at once. Run under
/// `swift test --sanitize=thread` to check the lock-free paths for data races.
@Suite("Concurrency")
struct ConcurrencyTests {
    static let strategies: [ConfiguredStrategy] = [.roundRobin(), .leastConnections(), .powerOfTwoChoices(PowerOfTwoChoices(latencyDecay: .seconds(1))), .maglev(), .boundedLoadHash()]

    @Test("picks, completions, updates and health checks from many threads keep counts exact", arguments: strategies)
    func manyThreads(strategy: ConfiguredStrategy) throws {
        let config = LoadBalancerConfiguration(
            slowStart: SlowStart(window: .milliseconds(50)),
            outlierDetection: OutlierDetection(consecutiveConnectionFailures: 3, baseEjection: .milliseconds(5), maxEjection: .milliseconds(20)),
            activeHealthChecks: ActiveHealthCheckPolicy(rise: 1, fall: 1))
        let balancer = try LoadBalancer(strategy: strategy, configuration: config)
        let all = makeEndpoints(12)
        try balancer.update(Array(all.prefix(8)))
        let allIDs = Set(all.map(\.id))
        let picked = Atomic<Int>(0)
        let strangers = Atomic<Int>(0)
        let noEndpoint = Atomic<Int>(0)
        let workers = 8
        let picksPerWorker = 3_000

        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            if worker == 0 {
                // Discovery and health checker: membership changes and flapping checks.
                for round in 0..<60 {
                    let start = round % 5
                    try? balancer.update(Array(all[start..<(start + 7)]))
                    try? balancer.recordHealthCheck(endpointID: all[start + 1].id, passed: round % 3 != 0)
                    _ = balancer.status()
                }
                return
            }
            var picker = balancer.makePicker(seed: UInt64(worker))
            var open: [Lease] = []
            for index in 0..<picksPerWorker {
                let key = HashKey("k\(index % 97)")
                let result = worker % 2 == 0 ? picker.pick(key: key) : balancer.pick(key: key)
                guard let lease = result.lease else {
                    noEndpoint.wrappingAdd(1, ordering: .relaxed)
                    continue
                }
                picked.wrappingAdd(1, ordering: .relaxed)
                if !allIDs.contains(lease.endpoint.id) { strangers.wrappingAdd(1, ordering: .relaxed) }
                open.append(lease)
                if open.count > 16 || index == picksPerWorker - 1 {
                    for (position, lease) in open.enumerated() {
                        lease.complete(position % 13 == 0 ? .connectionFailure : .success)
                    }
                    open.removeAll(keepingCapacity: true)
                }
            }
        }

        #expect(strangers.load(ordering: .relaxed) == 0)
        #expect(picked.load(ordering: .relaxed) + noEndpoint.load(ordering: .relaxed) == (workers - 1) * picksPerWorker)
        #expect(picked.load(ordering: .relaxed) > 0)
        // Every lease was completed: nothing in flight, nothing left draining.
        try balancer.update(Array(all.prefix(4)))
        let status = balancer.status()
        #expect(status.allSatisfy { $0.inFlight == 0 })
        #expect(status.map(\.endpoint.id) == all.prefix(4).map(\.id))
    }
}
