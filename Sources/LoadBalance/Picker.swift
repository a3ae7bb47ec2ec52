/// A per-event-loop (or per-task) handle for picking from a ``LoadBalancer``.
///
/// It keeps what is cheaper to own than to share: the last snapshot (re-read only when the
/// balancer's generation changes — one atomic load per pick), a round-robin cursor and a
/// random generator. Not for sharing between threads; make one per loop with
/// ``LoadBalancer/makePicker(seed:)``. Picks from different pickers still see one table,
/// one set of in-flight counts and one health state.
public struct Picker<Random: RandomNumberGenerator> {
    @usableFromInline var core: PickerCore
    @usableFromInline var random: Random
    @usableFromInline var cursor: UInt64

    init(balancer: LoadBalancer, random: Random) {
        var random = random
        self.cursor = random.next()
        self.random = random
        self.core = PickerCore(balancer: balancer)
    }

    /// Picks an endpoint for one request.
    ///
    /// - Parameters:
    ///   - key: the request's hash key for hash strategies; without one they pick randomly.
    ///   - now: the current instant (start of the request, for latency).
    @inlinable
    public mutating func pick(key: HashKey? = nil, now: ContinuousClock.Instant = .now) -> PickResult {
        cursor &+= 1
        let input = PickInput(key: key, random: random.next(), secondRandom: random.next(), ticket: cursor)
        return core.pick(input, now: now)
    }
}

/// The non-generic part of a ``Picker``: snapshot caching and the pick itself.
@usableFromInline
struct PickerCore {
    let balancer: LoadBalancer
    var snapshot: Snapshot

    init(balancer: LoadBalancer) {
        self.balancer = balancer
        self.snapshot = balancer.current.load(ordering: .acquiring)
    }

    @usableFromInline
    mutating func pick(_ input: PickInput, now: ContinuousClock.Instant) -> PickResult {
        if balancer.publishedGeneration.load(ordering: .acquiring) != snapshot.generation {
            snapshot = balancer.current.load(ordering: .acquiring)
        }
        if now >= snapshot.refreshInstant {
            balancer.refreshIfDue(balancer.origin.nanoseconds(now))
            snapshot = balancer.current.load(ordering: .acquiring)
        }
        return LoadBalancer.pick(from: snapshot, input: input, now: now)
    }
}
