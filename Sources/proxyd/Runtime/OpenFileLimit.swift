#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit (RLIMIT_NOFILE), which caps how many client and backend
/// connections proxyd can hold at once.
///
/// Distributions start services with a soft limit of 1024 (systemd's default) and a much
/// higher hard limit (524288), so a proxy configured for `max_connections: 10000` would fail
/// its accepts with EMFILE long before its own limit. Like HAProxy, proxyd raises the soft
/// limit to the hard limit at start (no privilege is needed for that) and warns when even the
/// hard limit is below what the configuration can use.
enum OpenFileLimit {
    /// The soft and hard limits; `nil` for "unlimited".
    struct Limits: Equatable, CustomStringConvertible {
        var soft: UInt64?
        var hard: UInt64?

        var description: String {
            "soft \(soft.map { "\($0)" } ?? "unlimited"), hard \(hard.map { "\($0)" } ?? "unlimited")"
        }
    }

    /// The current limits, or nil when they cannot be read.
    static func current() -> Limits? {
        var limit = rlimit()
        guard getrlimit(Self.resource, &limit) == 0 else { return nil }
        return Limits(soft: finite(limit.rlim_cur), hard: finite(limit.rlim_max))
    }

    /// Raises the soft limit to the hard limit. Returns the limits before and after (equal
    /// when nothing changed or the raise was refused), or nil when they cannot be read.
    static func raiseSoftToHard() -> (before: Limits, after: Limits)? {
        var limit = rlimit()
        guard getrlimit(Self.resource, &limit) == 0 else { return nil }
        let before = Limits(soft: finite(limit.rlim_cur), hard: finite(limit.rlim_max))
        guard limit.rlim_cur != limit.rlim_max else { return (before, before) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        guard setrlimit(Self.resource, &raised) == 0 else { return (before, before) }
        return (before, current() ?? before)
    }

    /// Sets both limits to `value` (HAProxy `ulimit-n`). Raising the hard limit needs root (or
    /// CAP_SYS_RESOURCE); when that is refused, the soft limit alone is set if the hard limit
    /// allows it. Returns the limits before and after, or nil when they cannot be read.
    static func set(to value: UInt64) -> (before: Limits, after: Limits)? {
        guard let before = current() else { return nil }
        var wanted = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
        if setrlimit(Self.resource, &wanted) != 0 {
            var limit = rlimit()
            guard getrlimit(Self.resource, &limit) == 0 else { return (before, before) }
            limit.rlim_cur = min(rlim_t(value), limit.rlim_max)
            _ = setrlimit(Self.resource, &limit)
        }
        return (before, current() ?? before)
    }

    /// Descriptors a configuration can use at once: a client connection and its backend
    /// connection for every allowed connection, plus listeners, DNS sockets, health checks
    /// and idle pooled connections (a margin, not an exact count).
    static func needed(maxConnections: Int) -> UInt64 {
        UInt64(max(0, maxConnections)) * 2 + 256
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif

    private static func finite(_ value: rlim_t) -> UInt64? {
        // RLIM_INFINITY is all ones (~0) on Linux and Darwin; the C macro does not import.
        value == rlim_t.max ? nil : UInt64(value)
    }
}
