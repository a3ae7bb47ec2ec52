/// The bytes of an HTTP health check request: `METHOD PATH HTTP/1.1` with `Host`,
/// `User-Agent: proxyd-health-check` and `Connection: close`, and no body.
///
/// `Connection: close` (RFC 9112 §9.6) because a probe uses its connection once: the endpoint
/// may close right after the response and neither side keeps an idle socket around. `Host` is
/// required in every HTTP/1.1 request (RFC 9112 §3.2); without a configured host it is the
/// endpoint's own `address:port` (the port left out when it is 80, RFC 9110 §7.2), IPv6
/// literals in brackets (RFC 3986 §3.2.2).
struct HealthCheckRequest: Sendable, Hashable {
    var method: String
    var path: String
    /// The configured `Host`; nil: the endpoint's address.
    var host: String?

    /// The request for the endpoint at `address:port`.
    func bytes(address: String, port: Int) -> [UInt8] {
        let hostValue = host ?? Self.hostHeader(address: address, port: port)
        let text = "\(method) \(path) HTTP/1.1\r\nHost: \(hostValue)\r\nUser-Agent: proxyd-health-check\r\nConnection: close\r\n\r\n"
        return Array(text.utf8)
    }

    /// `address:port` as a Host value.
    static func hostHeader(address: String, port: Int) -> String {
        let host = address.contains(":") && !address.hasPrefix("[") ? "[\(address)]" : address
        return port == 80 ? host : "\(host):\(port)"
    }
}
