/// Slow start: an endpoint that joins a running table receives a growing share of traffic
/// instead of its full weight at once, so a cold task (empty caches, JIT, connection pools)
/// is not flooded the moment discovery announces it (Envoy `slow_start_config`).
///
/// The weight ramps linearly from `initialFraction` to 1 over `window`, in `steps` equal
/// steps; every step republishes the table, so fewer steps means fewer rebuilds. Endpoints of
/// the very first update do not slow-start (there is nothing to protect them from); an
/// endpoint that becomes healthy later (active checks rise, an ejection ends) ramps too. The
/// hash strategies ignore slow start: changing their weights would move keys.
public struct SlowStart: Sendable, Hashable {
    /// How long the ramp lasts.
    public var window: Duration
    /// Share of its weight an endpoint gets right after joining, in `0...1`.
    public var initialFraction: Double
    /// Number of equal steps of the ramp (at least 1).
    public var steps: Int

    /// Creates a slow-start policy; validated by ``LoadBalancer/init(strategy:configuration:now:)``.
    public init(window: Duration, initialFraction: Double = 0.1, steps: Int = 10) {
        self.window = window
        self.initialFraction = initialFraction
        self.steps = steps
    }
}
