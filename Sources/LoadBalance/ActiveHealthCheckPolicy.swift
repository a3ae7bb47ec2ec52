/// How results of active health checks (probes run by the caller, e.g. an HTTP GET every
/// 2 s) move an endpoint between up and down — HAProxy's `rise` / `fall`.
///
/// A down endpoint comes up after `rise` passed checks in a row; an up endpoint goes down
/// after `fall` failed checks in a row. Counting in a row keeps one lost probe from flapping
/// an endpoint.
public struct ActiveHealthCheckPolicy: Sendable, Hashable {
    /// Passed checks in a row that bring a down endpoint up (at least 1).
    public var rise: Int
    /// Failed checks in a row that take an up endpoint down (at least 1).
    public var fall: Int
    /// Whether endpoints join the table up (HAProxy's default) or must first pass `rise`
    /// checks.
    public var startsUp: Bool

    /// Creates a policy; the defaults are HAProxy's (`rise 2`, `fall 3`, start up).
    public init(rise: Int = 2, fall: Int = 3, startsUp: Bool = true) {
        self.rise = rise
        self.fall = fall
        self.startsUp = startsUp
    }
}
