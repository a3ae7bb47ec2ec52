/// How a request sent to a picked endpoint ended, reported through ``Lease/complete(_:now:)``.
/// It feeds in-flight counts, latency averages and passive outlier detection.
public enum RequestOutcome: Sendable, Hashable {
    /// The endpoint answered with anything but a 5xx.
    case success
    /// The endpoint answered 5xx (RFC 9110 §15.6); counts toward consecutive server errors.
    case serverError
    /// Connecting failed, or the connection broke before a response; counts toward
    /// consecutive connection failures.
    case connectionFailure
    /// The caller gave up (client went away, deadline passed): no health signal either way.
    case cancelled
}
