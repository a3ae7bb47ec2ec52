/// The decisions of ``EndpointWatcher`` as a value type: given the outcome of one SRV
/// resolution and the current time, which set to publish (if it changed) and when to ask again.
/// It performs no I/O and reads no clock, so every rule below is tested with made-up instants.
///
/// Rules, each answering a failure mode seen with HAProxy's `resolvers`:
/// - **Refresh at the TTL.** After an answer the next query is due after the smallest TTL of
///   the records used, clamped to [`minimumRefresh`, `maximumRefresh`].
/// - **Grace for missing endpoints.** An endpoint absent from one answer stays for `grace`
///   after it was last seen, so a rotating subset (Route53 returns at most 8 of N multivalue
///   records) or one incomplete answer causes no churn. New endpoints appear at once.
/// - **Failure hold.** Timeouts, SERVFAIL, REFUSED and other failures keep the last set for
///   `failureHold` from the first failure in a row; retries back off from `minimumRefresh`
///   doubling up to `maximumRefresh`. Nothing is removed during failures: there is no news.
/// - **Empty hold.** NXDOMAIN, NODATA and answers whose targets all failed keep a non-empty
///   set for `emptyHold` (usually shorter) from the first such answer in a row; after it the
///   set becomes empty. Nothing is held when nothing was ever published.
/// - **Declared unavailable.** An SRV answer whose only target is "." (RFC 2782) empties the
///   set at once: that is a deliberate statement, not a glitch.
/// - **Only changes are published.** A set is published when its members, priorities or
///   weights differ from the last one published (TTL changes are not changes). The first
///   decision always publishes, except a failure, which publishes an empty set only once
///   `failureHold` has passed without any answer.
struct EndpointWatcherStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What happened to one refresh.
    enum Input: Sendable {
        /// The SRV resolution succeeded (possibly with no usable endpoints).
        case answer(SRVAnswer)
        /// The resolution failed.
        case failure(ResolverError)
    }

    /// What the driver should do next.
    struct Decision: Sendable, Equatable {
        /// The set to yield, or nil when nothing changed.
        var publish: EndpointSet?
        /// When to resolve again.
        var nextRefresh: Instant
    }

    private struct Member: Sendable {
        var endpoint: Endpoint
        var lastSeen: Instant
    }

    let configuration: EndpointWatcherConfiguration
    private var members: [Endpoint.Identity: Member] = [:]
    private(set) var published: EndpointSet?
    private var failingSince: Instant?
    private var emptySince: Instant?
    private var consecutiveFailures = 0

    init(configuration: EndpointWatcherConfiguration) {
        self.configuration = configuration
    }

    /// Feeds the outcome of one refresh at time `now` and returns what to do.
    mutating func receive(_ input: Input, at now: Instant) -> Decision {
        switch input {
        case .answer(let answer) where answer.endpoints.isServiceDeclaredUnavailable:
            resetFailures()
            emptySince = nil
            members = [:]
            return decide(EndpointSet([], isServiceDeclaredUnavailable: true), next: now.advanced(by: refreshDelay(ttl: answer.ttl)))
        case .answer(let answer) where answer.endpoints.isEmpty:
            resetFailures()
            return receiveEmpty(ttl: answer.ttl, at: now)
        case .answer(let answer):
            resetFailures()
            emptySince = nil
            for endpoint in answer.endpoints {
                members[endpoint.identity] = Member(endpoint: endpoint, lastSeen: now)
            }
            members = members.filter { now < $0.value.lastSeen.advanced(by: configuration.grace) || $0.value.lastSeen == now }
            var next = now.advanced(by: refreshDelay(ttl: answer.ttl))
            // Wake up when the first endpoint in grace would expire, so removal is not late by a TTL.
            if let expiry = members.values.filter({ $0.lastSeen != now }).map({ $0.lastSeen.advanced(by: configuration.grace) }).min() {
                next = max(min(next, expiry), now.advanced(by: configuration.minimumRefresh))
            }
            return decide(EndpointSet(members.values.map(\.endpoint)), next: next)
        case .failure(let error) where error.isAuthoritativeEmpty:
            resetFailures()
            return receiveEmpty(ttl: error.negativeTTL, at: now)
        case .failure:
            consecutiveFailures += 1
            let since = failingSince ?? now
            failingSince = since
            let holdEnd = since.advanced(by: configuration.failureHold)
            if now >= holdEnd {
                members = [:]
                return decide(.empty, next: now.advanced(by: retryDelay()))
            }
            if let emptySince, now >= emptySince.advanced(by: configuration.emptyHold) {
                members = [:]
                return decide(.empty, next: now.advanced(by: retryDelay()))
            }
            return Decision(publish: nil, nextRefresh: min(now.advanced(by: retryDelay()), max(holdEnd, now)))
        }
    }

    private mutating func receiveEmpty(ttl: UInt32?, at now: Instant) -> Decision {
        let since = emptySince ?? now
        emptySince = since
        let next = now.advanced(by: refreshDelay(ttl: ttl ?? 0))
        let holdEnd = since.advanced(by: configuration.emptyHold)
        if members.isEmpty || now >= holdEnd {
            members = [:]
            return decide(.empty, next: next)
        }
        return Decision(publish: nil, nextRefresh: max(min(next, holdEnd), now.advanced(by: configuration.minimumRefresh)))
    }

    private mutating func resetFailures() {
        failingSince = nil
        consecutiveFailures = 0
    }

    private mutating func decide(_ candidate: EndpointSet, next: Instant) -> Decision {
        if let published, published.hasSameMembers(as: candidate) {
            return Decision(publish: nil, nextRefresh: next)
        }
        published = candidate
        return Decision(publish: candidate, nextRefresh: next)
    }

    /// The TTL clamped to [minimumRefresh, maximumRefresh] (RFC 1035 §3.2.1: TTL in seconds).
    func refreshDelay(ttl: UInt32) -> Duration {
        let ttlDuration = Duration.seconds(Int64(ttl))
        return min(max(ttlDuration, configuration.minimumRefresh), configuration.maximumRefresh)
    }

    /// minimumRefresh × 2^(failures−1), at most maximumRefresh.
    private func retryDelay() -> Duration {
        var delay = configuration.minimumRefresh
        for _ in 1..<max(1, consecutiveFailures) {
            delay = delay * 2
            if delay >= configuration.maximumRefresh { return configuration.maximumRefresh }
        }
        return min(delay, configuration.maximumRefresh)
    }
}
