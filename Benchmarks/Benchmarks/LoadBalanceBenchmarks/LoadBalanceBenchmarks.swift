// Pick cost of every LoadBalance strategy at 3, 100 and 10,000 endpoints, and the cost of
// rebuilding ring and Maglev tables at 1,000 endpoints.
//
// Input: endpoints 10.x.y.z:8080 with weights 1...5 (so weighted code paths run), one
// per-thread Picker (the recommended hot path), 1,024 precomputed hash keys cycled for the
// hash strategies, and a fixed `now` so no clock read is measured. One measured "pick" is
// pick + lease.complete(.success): without completion in-flight counts would only grow.
import Benchmark
import LoadBalance

/// Mutable per-benchmark state. `@unchecked Sendable`: the benchmark runner calls setup and
/// then the closure sequentially on one thread, so the picker is never used concurrently.
final class PickState: @unchecked Sendable {
    let balancer: LoadBalancer
    var picker: Picker<SplitMix64>
    let keys: [HashKey]
    let now: ContinuousClock.Instant

    init(strategy: ConfiguredStrategy, count: Int) throws {
        now = ContinuousClock.now
        balancer = try LoadBalancer(strategy: strategy, now: now)
        try balancer.update(makeEndpoints(count), now: now)
        picker = balancer.makePicker(seed: 42)
        keys = (0..<1024).map { HashKey("user-\($0)") }
    }
}

/// Two memberships one endpoint apart, built before measuring.
final class UpdateState: Sendable {
    let balancer: LoadBalancer
    let longer: [Endpoint]
    let shorter: [Endpoint]
    let now: ContinuousClock.Instant

    init(strategy: ConfiguredStrategy) throws {
        now = ContinuousClock.now
        longer = makeEndpoints(1_001)
        shorter = Array(longer.dropLast())
        balancer = try LoadBalancer(strategy: strategy, now: now)
        try balancer.update(shorter, now: now)
    }
}

func makeEndpoints(_ count: Int, offset: Int = 0) -> [Endpoint] {
    (0..<count).map { index in
        let host = index + offset
        return Endpoint(address: "10.\(host >> 16).\((host >> 8) & 0xff).\(host & 0xff)", port: 8080, weight: UInt16(1 + host % 5))
    }
}

let strategies: [(String, ConfiguredStrategy, usesKey: Bool)] = [
    ("RoundRobin", .roundRobin(), false),
    ("WeightedRandom", .weightedRandom, false),
    ("LeastConnections", .leastConnections(), false),
    ("PowerOfTwoChoices", .powerOfTwoChoices(), false),
    ("PowerOfTwoChoices+EWMA", .powerOfTwoChoices(PowerOfTwoChoices(latencyDecay: .seconds(10))), false),
    ("RingHash", .ringHash(), true),
    ("Maglev", .maglev(), true),
    ("BoundedLoadHash", .boundedLoadHash(), true),
    ("SourceHash", .sourceHash, true),
]

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal, .throughput]
    let pickConfiguration = Benchmark.Configuration(
        metrics: metrics, timeUnits: .nanoseconds, warmupIterations: 5, scalingFactor: .kilo,
        maxDuration: .milliseconds(200), maxIterations: 500)

    for (name, strategy, usesKey) in strategies {
        for count in [3, 100, 10_000] {
            Benchmark("pick/\(name)/\(count)", configuration: pickConfiguration) { benchmark, state in
                var picker = state.picker
                let now = state.now
                for iteration in benchmark.scaledIterations {
                    let key: HashKey? = usesKey ? state.keys[iteration & 1023] : nil
                    if case .endpoint(let lease) = picker.pick(key: key, now: now) {
                        lease.complete(.success, now: now)
                    }
                }
                state.picker = picker
            } setup: {
                try PickState(strategy: strategy, count: count)
            }
        }
    }

    // The balancer-wide path (shared atomic cursor and random state) for comparison.
    Benchmark("pick-shared/RoundRobin/100", configuration: pickConfiguration) { benchmark, state in
        let now = state.now
        for _ in benchmark.scaledIterations {
            state.balancer.pick(now: now).lease?.complete(.success, now: now)
        }
    } setup: {
        try PickState(strategy: .roundRobin(), count: 100)
    }

    let rebuildConfiguration = Benchmark.Configuration(
        metrics: metrics, timeUnits: .milliseconds, warmupIterations: 2,
        maxDuration: .seconds(1), maxIterations: 30)

    // Full rebuild of the table's snapshot (selection + plan) with unchanged membership.
    for (name, strategy) in [("RingHash", ConfiguredStrategy.ringHash()), ("Maglev", .maglev())] {
        Benchmark("rebuild/\(name)/1000", configuration: rebuildConfiguration) { benchmark, state in
            for _ in benchmark.scaledIterations {
                state.balancer.refresh(now: state.now)
            }
        } setup: {
            try PickState(strategy: strategy, count: 1_000)
        }

        // A discovery update that adds or removes one endpoint of 1,000 (diff + rebuild).
        Benchmark("update/\(name)/1000", configuration: rebuildConfiguration) { benchmark, state in
            for iteration in benchmark.scaledIterations {
                try? state.balancer.update(iteration % 2 == 0 ? state.shorter : state.longer, now: state.now)
            }
        } setup: {
            try UpdateState(strategy: strategy)
        }
    }
}
