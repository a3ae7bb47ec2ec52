/// The outcome of one active health check probe against one endpoint.
///
/// The checker only reports pass or fail to the balancer; how many results in a row move an
/// endpoint up or down (`rise` / `fall`) is LoadBalance's ``ActiveHealthCheckPolicy``. The
/// reason is kept for logs and the stats page ("status 503", "timeout after 1s").
enum ProbeResult: Sendable, Hashable, CustomStringConvertible {
    /// The probe passed: a TCP connect succeeded (`status` nil) or an HTTP response's status
    /// was in the expected range.
    case passed(status: Int?)
    /// The probe failed, and why.
    case failed(ProbeFailure)

    /// Whether the balancer should count it as a passed check.
    var passed: Bool {
        if case .passed = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .passed(let status?): "passed (status \(status))"
        case .passed(nil): "passed (connected)"
        case .failed(let failure): "failed (\(failure))"
        }
    }
}
