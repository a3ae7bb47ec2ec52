public import Logging
import NIOConcurrencyHelpers

/// Follows one SRV name and yields its endpoint set each time it changes.
///
/// ```swift
/// let watcher = EndpointWatcher(name: "_hello-world-service.internal.", resolver: srv, logger: logger)
/// for await endpoints in watcher {
///     balancer.update(endpoints)
/// }
/// ```
///
/// The first element is the first set known (possibly empty); later elements come only when
/// members, priorities or weights change. All decisions (TTL-driven refresh, grace for missing
/// endpoints, holds through failures and NXDOMAIN) live in the internal `EndpointWatcherStateMachine`; this
/// type only sleeps on the injected clock, calls the resolver and feeds the outcome in.
/// Iteration ends when the consuming task is cancelled. Each iterator refreshes on its own;
/// identical queries in flight are shared by ``DNSResolver``. ``statistics()`` is readable from
/// anywhere while iterating.
public struct EndpointWatcher<WatcherClock: Clock>: AsyncSequence, Sendable where WatcherClock.Duration == Duration {
    /// The sets yielded.
    public typealias Element = EndpointSet
    /// The failure type: iteration never throws; failures are held or turn into an empty set.
    public typealias Failure = Never
    /// The timing rules.
    public typealias Configuration = EndpointWatcherConfiguration

    /// What a watcher has done so far, for stats pages and tests.
    public struct Statistics: Sendable {
        /// The resolver's counters (shared by every watcher that uses the same resolver).
        public var resolver: ResolverStatistics
        /// Refreshes that produced an answer (including empty answers and NXDOMAIN).
        public var successfulRefreshes: Int
        /// Refreshes that failed (timeouts, SERVFAIL, REFUSED, ...).
        public var failedRefreshes: Int
        /// Sets yielded.
        public var updatesPublished: Int
        /// When the last refresh with an answer completed, on the watcher's clock.
        public var lastSuccessfulRefresh: WatcherClock.Instant?
        /// When the last set was yielded, on the watcher's clock.
        public var lastUpdate: WatcherClock.Instant?
        /// The error of the last failed refresh, if the last refresh failed.
        public var lastError: ResolverError?
    }

    private struct Progress: Sendable {
        var successfulRefreshes = 0
        var failedRefreshes = 0
        var updatesPublished = 0
        var lastSuccessfulRefresh: WatcherClock.Instant?
        var lastUpdate: WatcherClock.Instant?
        var lastError: ResolverError?
    }

    /// Shared between the watcher value and its iterators, so statistics can be read while iterating.
    private final class SharedProgress: Sendable {
        let value = NIOLockedValueBox(Progress())
        let wakeUp = RefreshSignal()
    }

    /// The SRV name watched.
    public let name: String
    /// The timing rules.
    public let configuration: Configuration
    private let resolver: any SRVResolving
    private let clock: WatcherClock
    private let logger: Logger
    private let progress = SharedProgress()

    /// Creates a watcher of `name` using `resolver`, timing with `clock`.
    public init(
        name: String,
        resolver: any SRVResolving,
        configuration: Configuration = Configuration(),
        clock: WatcherClock,
        logger: Logger
    ) {
        self.name = name
        self.resolver = resolver
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// What the watcher has done so far.
    public func statistics() -> Statistics {
        let current = progress.value.withLockedValue { $0 }
        return Statistics(
            resolver: resolver.counters.snapshot(),
            successfulRefreshes: current.successfulRefreshes,
            failedRefreshes: current.failedRefreshes,
            updatesPublished: current.updatesPublished,
            lastSuccessfulRefresh: current.lastSuccessfulRefresh,
            lastUpdate: current.lastUpdate,
            lastError: current.lastError
        )
    }

    /// Makes every iterator that is waiting for its next refresh resolve now instead (an
    /// operator's "refresh DNS now"; a deploy that should not wait for the TTL). The answer
    /// goes through the same rules as a scheduled refresh (grace, holds), so a refresh can
    /// never empty a backend that the schedule would have kept. An iterator that is not
    /// waiting right now refreshes early once, at its next wait.
    public func refreshNow() {
        progress.wakeUp.signal()
    }

    /// Starts following the name; the first `next()` resolves at once.
    public func makeAsyncIterator() -> Iterator {
        Iterator(watcher: self)
    }

    /// Refreshes when due and returns the next changed set; nil once the task is cancelled.
    public struct Iterator: AsyncIteratorProtocol {
        private let watcher: EndpointWatcher
        private var machine: EndpointWatcherStateMachine<WatcherClock.Instant>
        private var nextRefresh: WatcherClock.Instant?

        fileprivate init(watcher: EndpointWatcher) {
            self.watcher = watcher
            self.machine = EndpointWatcherStateMachine(configuration: watcher.configuration)
        }

        /// The next set that differs from the previous one.
        public mutating func next() async -> EndpointSet? {
            while !Task.isCancelled {
                if let due = nextRefresh {
                    let clock = watcher.clock
                    let signal = watcher.progress.wakeUp
                    // Sleep until the refresh is due, or until refreshNow() asks for one.
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { try? await clock.sleep(until: due, tolerance: nil) }
                        group.addTask { await signal.wait() }
                        await group.next()
                        group.cancelAll()
                    }
                    if Task.isCancelled { return nil }
                }
                let input: EndpointWatcherStateMachine<WatcherClock.Instant>.Input
                do {
                    input = .answer(try await watcher.resolver.resolveSRV(watcher.name))
                } catch {
                    input = .failure(error)
                }
                if Task.isCancelled { return nil }
                let now = watcher.clock.now
                let decision = machine.receive(input, at: now)
                nextRefresh = decision.nextRefresh
                record(input, decision: decision, at: now)
                if let set = decision.publish { return set }
            }
            return nil
        }

        private func record(_ input: EndpointWatcherStateMachine<WatcherClock.Instant>.Input, decision: EndpointWatcherStateMachine<WatcherClock.Instant>.Decision, at now: WatcherClock.Instant) {
            let logger = watcher.logger
            watcher.progress.value.withLockedValue { progress in
                switch input {
                case .answer:
                    progress.successfulRefreshes += 1
                    progress.lastSuccessfulRefresh = now
                    progress.lastError = nil
                case .failure(let error) where error.isAuthoritativeEmpty:
                    progress.successfulRefreshes += 1
                    progress.lastSuccessfulRefresh = now
                    progress.lastError = error
                case .failure(let error):
                    progress.failedRefreshes += 1
                    progress.lastError = error
                }
                if decision.publish != nil {
                    progress.updatesPublished += 1
                    progress.lastUpdate = now
                }
            }
            if case .failure(let error) = input {
                logger.debug("SRV refresh failed", metadata: ["name": "\(watcher.name)", "error": "\(error)"])
            }
            if let set = decision.publish {
                if set.isEmpty, case .failure(let error) = input {
                    // The hold ran out: every consumer now has no endpoint for this name.
                    logger.warning("SRV endpoints emptied after the hold expired", metadata: ["name": "\(watcher.name)", "error": "\(error)"])
                } else {
                    logger.info("SRV endpoints changed", metadata: ["name": "\(watcher.name)", "count": "\(set.count)", "endpoints": "\(set)"])
                }
            }
        }
    }
}

extension EndpointWatcher where WatcherClock == ContinuousClock {
    /// Creates a watcher timing with the system's continuous clock.
    public init(name: String, resolver: any SRVResolving, configuration: Configuration = Configuration(), logger: Logger) {
        self.init(name: name, resolver: resolver, configuration: configuration, clock: ContinuousClock(), logger: logger)
    }
}
