/// An endpoint's last health check in HAProxy's terms: the `check_status` name of `show
/// stat` (`L4OK`, `L7STS`, …), its `srv_check_status` number for `show servers state`
/// (HAProxy 2.6 `HCHK_STATUS_*`), and the HTTP status for `check_code`.
struct HAProxyCheckStatus: Sendable, Equatable {
    var name: String
    var number: Int
    var code: Int?
    var passed: Bool
    var description: String

    /// From ``ProbeResult``'s description (what ``ProxyStatus/Endpoint/lastCheck`` carries).
    init?(lastCheck: String?) {
        guard let text = lastCheck else { return nil }
        description = text
        passed = text.hasPrefix("passed")
        code = nil
        if text.hasPrefix("passed (status ") {
            (name, number) = ("L7OK", 15)
            code = Int(text.dropFirst("passed (status ".count).prefix { $0.isNumber })
        } else if passed {
            (name, number) = ("L4OK", 6)
        } else if text.hasPrefix("failed (timeout") {
            (name, number) = ("L4TOUT", 7)
        } else if text.hasPrefix("failed (connection") {
            (name, number) = ("L4CON", 8)
        } else if text.hasPrefix("failed (status ") {
            (name, number) = ("L7STS", 17)
            code = Int(text.dropFirst("failed (status ".count).prefix { $0.isNumber })
        } else {
            (name, number) = ("L7RSP", 13)
        }
    }
}
