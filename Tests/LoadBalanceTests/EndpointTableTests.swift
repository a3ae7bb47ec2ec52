import Testing
@testable import LoadBalance

/// How the table survives discovery updates: kept, new (slow start) and removed (draining).
@Suite("Endpoint table updates")
struct EndpointTableTests {
    @Test("kept endpoints keep in-flight counts and ejection history, and take new weights")
    func keptEndpointsKeepState() throws {
        let config = LoadBalancerConfiguration(outlierDetection: OutlierDetection(consecutiveConnectionFailures: 1), panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        let open = try #require(balancer.lease(on: "a", now: t0))
        balancer.lease(on: "b", now: t0)?.complete(.connectionFailure, now: t0)
        try balancer.update([endpoint("a", weight: 7), endpoint("b"), endpoint("c")], now: at(1))
        let status = Dictionary(uniqueKeysWithValues: balancer.status(now: at(1)).map { ($0.endpoint.id, $0) })
        #expect(status["a"]?.inFlight == 1)
        #expect(status["a"]?.endpoint.weight == 7)
        #expect(status["b"]?.ejections == 1)
        #expect(status["b"]?.health == .down(.ejected(until: at(30))))
        #expect(status["c"]?.health == .up)
        open.complete(.success, now: at(1))
        #expect(balancer.status(now: at(1)).first { $0.endpoint.id == "a" }?.inFlight == 0)
    }

    @Test("a removed endpoint is never picked again and drains until its last request ends")
    func draining() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("c")], now: t0)
        var picker = balancer.makePicker(seed: 4)
        let open = try #require(balancer.lease(on: "c", now: t0))
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        #expect(balancer.health(of: "c") == .draining)
        #expect(balancer.status(now: t0).first { $0.endpoint.id == "c" }?.inFlight == 1)
        for _ in 0..<300 {
            #expect(picker.pick(now: t0).id != "c")
            #expect(balancer.pick(now: t0).id != "c")
        }
        open.complete(.success, now: t0)
        #expect(balancer.health(of: "c") == nil)
    }

    @Test("a removed endpoint with nothing in flight is forgotten at once")
    func removedIdle() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        try balancer.update([endpoint("a")], now: t0)
        #expect(balancer.status(now: t0).map(\.endpoint.id) == ["a"])
    }

    @Test("a draining endpoint that discovery brings back is revived with its state")
    func revive() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        let open = try #require(balancer.lease(on: "b", now: t0))
        try balancer.update([endpoint("a")], now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        #expect(balancer.health(of: "b") == .up)
        #expect(balancer.status(now: t0).first { $0.endpoint.id == "b" }?.inFlight == 1)
        open.complete(.success, now: t0)
        #expect(balancer.health(of: "b") == .up)
    }

    @Test("a new endpoint ramps from 10 % to full weight over the slow-start window")
    func slowStartRamp() throws {
        let config = LoadBalancerConfiguration(slowStart: SlowStart(window: .seconds(10), initialFraction: 0.1, steps: 10))
        let balancer = try LoadBalancer(strategy: .weightedRandom, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("new")], now: t0)
        var picker = balancer.makePicker(seed: 10)
        // (second, expected weight ×1024): 0.1 → 0.55 → 1.0.
        for (second, weight) in [(0.0, 102.0), (4.99, 471.0), (5.0, 563.0), (9.99, 932.0), (10.0, 1024.0), (60.0, 1024.0)] {
            _ = picker.pick(now: at(second)).lease?.complete(.success, now: at(second))
            let status = balancer.status(now: at(second)).first { $0.endpoint.id == "new" }
            #expect(status?.effectiveWeight == UInt32(weight), "at \(second) s")
            // Endpoints of the first update never ramp.
            #expect(balancer.status(now: at(second)).first { $0.endpoint.id == "a" }?.effectiveWeight == 1024)
        }
    }

    @Test("during slow start the new endpoint's share of picks follows its ramped weight (chi-square, p = 0.001)")
    func slowStartShare() throws {
        let config = LoadBalancerConfiguration(slowStart: SlowStart(window: .seconds(10), initialFraction: 0.1, steps: 10))
        let balancer = try LoadBalancer(strategy: .weightedRandom, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        try balancer.update([endpoint("a"), endpoint("b"), endpoint("new")], now: at(1))
        var picker = balancer.makePicker(seed: 77)
        let counts = balancer.histogram(100_000, now: at(6), picker: &picker)
        let observed = ["a", "b", "new"].map { counts[$0, default: 0] }
        #expect(chiSquare(observed: observed, expectedShares: [1024, 1024, 563]) < chiSquareCritical(degrees: 2))
    }

    @Test("an update listing an id twice is rejected and leaves the table as it was")
    func duplicateID() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("a")], now: t0)
        #expect(throws: LoadBalancerError.duplicateEndpointID("b", index: 2)) {
            try balancer.update([endpoint("b"), endpoint("c"), endpoint("b")], now: t0)
        }
        #expect(balancer.status(now: t0).map(\.endpoint.id) == ["a"])
    }

    @Test("a port outside 0...65535 is rejected")
    func invalidPort() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        #expect(throws: LoadBalancerError.invalidPort(id: "10.0.0.1:70000", port: 70_000)) {
            try balancer.update([Endpoint(address: "10.0.0.1", port: 70_000)], now: t0)
        }
    }

    @Test("endpoint ids default to address:port, IPv6 in brackets")
    func defaultIDs() {
        #expect(Endpoint(address: "10.0.1.7", port: 32768).id == "10.0.1.7:32768")
        #expect(Endpoint(address: "fd00::7", port: 443).id == "[fd00::7]:443")
        #expect(Endpoint(id: "task-1", address: "10.0.1.7", port: 1).id == "task-1")
    }

    @Test("out-of-range configuration is rejected naming the field", arguments: [
        (LoadBalancerConfiguration(panicThreshold: 1.5), "panicThreshold"),
        (LoadBalancerConfiguration(slowStart: SlowStart(window: .zero)), "slowStart.window"),
        (LoadBalancerConfiguration(slowStart: SlowStart(window: .seconds(1), initialFraction: 2)), "slowStart.initialFraction"),
        (LoadBalancerConfiguration(slowStart: SlowStart(window: .seconds(1), steps: 0)), "slowStart.steps"),
        (LoadBalancerConfiguration(outlierDetection: OutlierDetection(baseEjection: .seconds(10), maxEjection: .seconds(5))), "outlierDetection.baseEjection"),
        (LoadBalancerConfiguration(outlierDetection: OutlierDetection(backoffMultiplier: 0)), "outlierDetection.backoffMultiplier"),
        (LoadBalancerConfiguration(outlierDetection: OutlierDetection(maxEjectionPercent: 101)), "outlierDetection.maxEjectionPercent"),
        (LoadBalancerConfiguration(activeHealthChecks: ActiveHealthCheckPolicy(rise: 0)), "activeHealthChecks"),
    ])
    func invalidConfiguration(configuration: LoadBalancerConfiguration, field: String) {
        let error = #expect(throws: LoadBalancerError.self) {
            try LoadBalancer(strategy: .roundRobin, configuration: configuration)
        }
        guard case .invalidConfiguration(let reported, _) = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(reported == field)
    }
}

@Suite("Configured strategy")
struct ConfiguredStrategyTests {
    @Test("a configured strategy validates the strategy it wraps")
    func validatesWrapped() {
        #expect(throws: LoadBalancerError.invalidStrategy(strategy: "RingHash", reason: "virtualNodes must be in 1...10000, got 0")) {
            try LoadBalancer(strategy: ConfiguredStrategy.ringHash(RingHash(virtualNodes: 0)))
        }
    }

    @Test("a configured strategy picks like the strategy it wraps")
    func behavesLikeWrapped() throws {
        let configured = try LoadBalancer(strategy: ConfiguredStrategy.roundRobin(), now: t0)
        try configured.update([endpoint("a"), endpoint("b")], now: t0)
        #expect((0..<4).map { _ in configured.pickAndComplete() } == ["a", "b", "a", "b"])
        #expect(ConfiguredStrategy.boundedLoadHash().tracksTotalInFlight)
        #expect(ConfiguredStrategy.powerOfTwoChoices(PowerOfTwoChoices(latencyDecay: .seconds(3))).latencyDecay == .seconds(3))
    }

    @Test("status lists members in discovery order, then draining endpoints")
    func statusOrder() throws {
        let balancer = try LoadBalancer(strategy: .roundRobin, now: t0)
        try balancer.update([endpoint("c"), endpoint("a"), endpoint("b")], now: t0)
        let open = try #require(balancer.lease(on: "a", now: t0))
        try balancer.update([endpoint("b"), endpoint("c")], now: t0)
        #expect(balancer.status(now: t0).map(\.endpoint.id) == ["b", "c", "a"])
        open.complete(.success, now: t0)
    }
}

@Suite("Slow start after recovery")
struct SlowStartRecoveryTests {
    @Test("an endpoint returning from ejection ramps up again")
    func rampAfterEjection() throws {
        let config = LoadBalancerConfiguration(
            slowStart: SlowStart(window: .seconds(10), initialFraction: 0.1, steps: 10),
            outlierDetection: OutlierDetection(consecutiveConnectionFailures: 1, baseEjection: .seconds(5)),
            panicThreshold: 0)
        let balancer = try LoadBalancer(strategy: .roundRobin, configuration: config, now: t0)
        try balancer.update([endpoint("a"), endpoint("b")], now: t0)
        balancer.lease(on: "a", now: t0)?.complete(.connectionFailure, now: t0)
        #expect(balancer.status(now: t0).first { $0.endpoint.id == "a" }?.effectiveWeight == 0)
        for (second, weight) in [(5.0, 102), (10.0, 563), (15.0, 1024)] {
            _ = balancer.pickAndComplete(now: at(second))
            #expect(balancer.status(now: at(second)).first { $0.endpoint.id == "a" }?.effectiveWeight == UInt32(weight), "at \(second) s")
        }
    }

    @Test("a caller-measured latency replaces the time since the pick")
    func explicitLatency() throws {
        let balancer = try LoadBalancer(strategy: .powerOfTwoChoices(latencyDecay: .seconds(10)), now: t0)
        try balancer.update([endpoint("a")], now: t0)
        balancer.pick(now: t0).lease?.complete(.success, latency: .milliseconds(30), now: at(5))
        #expect(balancer.status(now: at(5)).first?.latencyNanoseconds == 30_000_000)
    }
}
