import Testing

@testable import SRVDiscovery

@Suite("EndpointWatcher decisions (pure state machine, made-up time)")
struct EndpointWatcherStateMachineTests {
    typealias Machine = EndpointWatcherStateMachine<TestInstant>

    private let configuration = EndpointWatcherConfiguration(
        minimumRefresh: .seconds(1), maximumRefresh: .seconds(60),
        grace: .seconds(30), failureHold: .seconds(120), emptyHold: .seconds(20))

    private func machine() -> Machine { Machine(configuration: configuration) }
    private func members(_ set: EndpointSet?) -> [String]? { set?.map(\.target) }

    @Test("the first answer is published and the next refresh is due after its TTL")
    func firstAnswer() {
        var sm = machine()
        let decision = sm.receive(.answer(EndpointFactory.answer([1, 2], ttl: 10)), at: .zero)
        #expect(decision.publish?.count == 2)
        #expect(decision.nextRefresh == .seconds(10))
    }

    @Test("a TTL below the minimum refreshes at the minimum, above the maximum at the maximum")
    func ttlClamped() {
        var sm = machine()
        #expect(sm.receive(.answer(EndpointFactory.answer([1], ttl: 0)), at: .zero).nextRefresh == .seconds(1))
        #expect(sm.receive(.answer(EndpointFactory.answer([1], ttl: 86_400)), at: .seconds(1)).nextRefresh == .seconds(61))
    }

    @Test("the same members with a counted-down TTL publish nothing")
    func ttlChangeIsNoChange() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1, 2], ttl: 10)), at: .zero)
        let decision = sm.receive(.answer(EndpointFactory.answer([1, 2], ttl: 7)), at: .seconds(10))
        #expect(decision.publish == nil)
        #expect(decision.nextRefresh == .seconds(17))
    }

    @Test("a changed weight is published as a change of the same endpoint")
    func weightChange() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        let heavier = SRVAnswer(endpoints: EndpointSet([EndpointFactory.task(1, weight: 5)]), ttl: 10)
        let decision = sm.receive(.answer(heavier), at: .seconds(10))
        #expect(decision.publish?.map(\.weight) == [5])
    }

    @Test("a new endpoint is published at once")
    func newEndpoint() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        let decision = sm.receive(.answer(EndpointFactory.answer([1, 2])), at: .seconds(10))
        #expect(decision.publish?.count == 2)
    }

    @Test("an endpoint missing from answers stays for the grace period, then goes, with a wake-up at its expiry")
    func graceThenRemoval() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1, 2])), at: .zero)
        let missing = sm.receive(.answer(EndpointFactory.answer([1])), at: .seconds(10))
        #expect(missing.publish == nil)
        #expect(missing.nextRefresh == .seconds(20))
        #expect(sm.receive(.answer(EndpointFactory.answer([1])), at: .seconds(20)).publish == nil)
        let expired = sm.receive(.answer(EndpointFactory.answer([1])), at: .seconds(30))
        #expect(expired.publish?.count == 1)
        #expect(expired.publish?.first?.port == 8001)
    }

    @Test("a wake-up for grace expiry is never sooner than the minimum refresh")
    func graceWakeUpBounded() {
        var sm = Machine(configuration: EndpointWatcherConfiguration(minimumRefresh: .seconds(5), grace: .seconds(1)))
        _ = sm.receive(.answer(EndpointFactory.answer([1, 2])), at: .zero)
        let decision = sm.receive(.answer(EndpointFactory.answer([1])), at: .seconds(0.5))
        #expect(decision.nextRefresh == .seconds(5.5))
    }

    @Test("a Route53-like rotating 8-of-12 subset causes no change once every member was seen")
    func rotatingSubsetNoFlapping() {
        // Each answer misses a given member with probability 1/3; with a grace of 12 refreshes
        // a member vanishes only after 12 misses in a row, p = 3^-12 per member and round.
        var sm = Machine(configuration: EndpointWatcherConfiguration(grace: .seconds(60)))
        var generator = SplitMix64(seed: 42)
        let all = Array(1...12)
        _ = sm.receive(.answer(EndpointFactory.answer(all)), at: .zero)
        var changes = 0
        for round in 1...50 {
            let subset = Array(all.shuffled(using: &generator).prefix(8))
            if sm.receive(.answer(EndpointFactory.answer(subset, ttl: 5)), at: .seconds(Double(round * 5))).publish != nil {
                changes += 1
            }
        }
        #expect(changes == 0)
        #expect(sm.published?.count == 12)
    }

    @Test("failures keep the last set for the failure hold, then empty it")
    func failureHold() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1, 2])), at: .zero)
        #expect(sm.receive(.failure(.timeout(name: "x", attempts: 2)), at: .seconds(10)).publish == nil)
        #expect(sm.receive(.failure(.serverFailure(nameserver: "ns")), at: .seconds(100)).publish == nil)
        #expect(sm.receive(.failure(.refused(nameserver: "ns")), at: .seconds(129)).publish == nil)
        let expired = sm.receive(.failure(.timeout(name: "x", attempts: 2)), at: .seconds(130))
        #expect(expired.publish == .empty)
    }

    @Test("retries after failures back off from the minimum refresh doubling up to the maximum, and never past the hold's end")
    func failureBackoff() {
        var sm = Machine(configuration: EndpointWatcherConfiguration(minimumRefresh: .seconds(1), maximumRefresh: .seconds(6), failureHold: .seconds(1000)))
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        let delays = (1...5).map { index -> Duration in
            let now = TestInstant.seconds(Double(index * 100))
            return now.duration(to: sm.receive(.failure(.timeout(name: "x", attempts: 1)), at: now).nextRefresh)
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(6), .seconds(6)])
        var short = Machine(configuration: EndpointWatcherConfiguration(minimumRefresh: .seconds(10), failureHold: .seconds(3)))
        _ = short.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        #expect(short.receive(.failure(.timeout(name: "x", attempts: 1)), at: .seconds(1)).nextRefresh == .seconds(4))
    }

    @Test("an answer after failures resets the hold and the backoff")
    func recoveryResets() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        _ = sm.receive(.failure(.timeout(name: "x", attempts: 1)), at: .seconds(100))
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .seconds(110))
        #expect(sm.receive(.failure(.timeout(name: "x", attempts: 1)), at: .seconds(200)).publish == nil)
        #expect(sm.receive(.failure(.timeout(name: "x", attempts: 1)), at: .seconds(319)).publish == nil)
    }

    @Test("NXDOMAIN keeps a non-empty set for the empty hold, then empties it")
    func nxdomainHold() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        let nx = ResolverError.nameError(name: "_svc.internal.", negativeTTL: 5)
        let first = sm.receive(.failure(nx), at: .seconds(10))
        #expect(first.publish == nil)
        #expect(first.nextRefresh == .seconds(15))
        #expect(sm.receive(.failure(nx), at: .seconds(29)).publish == nil)
        #expect(sm.receive(.failure(nx), at: .seconds(30)).publish == .empty)
    }

    @Test("NODATA and an answer without usable endpoints are held like NXDOMAIN")
    func emptyAnswersHeld() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        #expect(sm.receive(.failure(.noData(name: "x", type: "SRV", negativeTTL: nil)), at: .seconds(10)).publish == nil)
        #expect(sm.receive(.answer(EndpointFactory.answer([])), at: .seconds(20)).publish == nil)
        #expect(sm.receive(.answer(EndpointFactory.answer([])), at: .seconds(30)).publish == .empty)
    }

    @Test("a good answer within the empty hold publishes nothing when the set is unchanged")
    func transientNXDOMAIN() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1])), at: .zero)
        _ = sm.receive(.failure(.nameError(name: "x", negativeTTL: 1)), at: .seconds(10))
        #expect(sm.receive(.answer(EndpointFactory.answer([1])), at: .seconds(11)).publish == nil)
        // ... and the hold starts afresh with the next NXDOMAIN.
        #expect(sm.receive(.failure(.nameError(name: "x", negativeTTL: 1)), at: .seconds(40)).publish == nil)
    }

    @Test("NXDOMAIN as the first answer publishes an empty set at once")
    func initialNXDOMAIN() {
        var sm = machine()
        #expect(sm.receive(.failure(.nameError(name: "x", negativeTTL: 3)), at: .zero).publish == .empty)
    }

    @Test("failures before any answer publish nothing until the failure hold, then an empty set once")
    func initialFailures() {
        var sm = machine()
        #expect(sm.receive(.failure(.timeout(name: "x", attempts: 1)), at: .zero).publish == nil)
        #expect(sm.receive(.failure(.timeout(name: "x", attempts: 1)), at: .seconds(120)).publish == .empty)
        #expect(sm.receive(.failure(.timeout(name: "x", attempts: 1)), at: .seconds(200)).publish == nil)
    }

    @Test("an SRV answer declaring the service unavailable empties the set at once (RFC 2782 target \".\")")
    func declaredUnavailable() {
        var sm = machine()
        _ = sm.receive(.answer(EndpointFactory.answer([1, 2])), at: .zero)
        let unavailable = SRVAnswer(endpoints: EndpointSet([], isServiceDeclaredUnavailable: true), ttl: 10)
        let decision = sm.receive(.answer(unavailable), at: .seconds(10))
        #expect(decision.publish?.isEmpty == true)
        #expect(decision.publish?.isServiceDeclaredUnavailable == true)
    }
}

/// A tiny deterministic generator so shuffles in tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
