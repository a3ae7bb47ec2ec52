import HTTPCore

/// What the router needs to know about one request and its connection.
///
/// The forwarding pipeline fills this from the parsed head (HTTPCore) and the connection (TLS
/// state from TLSTerm, addresses from the channel); the router itself never parses anything,
/// which keeps it a pure function that tests can drive directly.
struct RequestFacts: Sendable {
    /// The request-target as sent (`/path?query`), used to build redirects.
    var target: String
    /// The Host header as sent (may carry a port), nil when absent.
    var host: String?
    var isTLS: Bool
    var clientAddress: String
    var clientPort: Int
    var listenerPort: Int
    /// The SNI name the TLS client sent, if any.
    var serverName: String?
    /// Where header values come from: the parsed head itself on the hot path (nothing is
    /// copied or captured until a rule asks for a header), or a function in tests.
    var headers: HeaderSource

    /// The request's header fields, looked up by case-insensitive name.
    enum HeaderSource: Sendable {
        case none
        case head(HTTPMessageHead)
        case lookup(@Sendable (String) -> String?)
    }

    init(target: String, host: String?, isTLS: Bool, clientAddress: String, clientPort: Int, listenerPort: Int,
         serverName: String? = nil, headers: HeaderSource = .none) {
        self.target = target
        self.host = host
        self.isTLS = isTLS
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.listenerPort = listenerPort
        self.serverName = serverName
        self.headers = headers
    }

    init(target: String, host: String?, isTLS: Bool, clientAddress: String, clientPort: Int, listenerPort: Int,
         serverName: String? = nil, header: @escaping @Sendable (String) -> String?) {
        self.init(target: target, host: host, isTLS: isTLS, clientAddress: clientAddress, clientPort: clientPort,
                  listenerPort: listenerPort, serverName: serverName, headers: .lookup(header))
    }

    /// The first value of a request header, by case-insensitive name.
    func header(_ name: String) -> String? {
        switch headers {
        case .none: nil
        case .head(let head): head.firstValue(name)
        case .lookup(let lookup): lookup(name)
        }
    }

    /// The path part of the target: everything before `?` or `#`.
    var path: Substring {
        target.prefix { $0 != "?" && $0 != "#" }
    }

    /// The host name without a port and lowercased, for matching (`Example.com:443` → `example.com`).
    var hostName: String? {
        guard let host else { return nil }
        if host.hasPrefix("[") {
            return host.prefix { $0 != "]" }.dropFirst().lowercased()
        }
        return String(host.prefix { $0 != ":" }).lowercased()
    }
}

extension RuleCondition {
    /// Whether the condition holds for a request.
    func matches(_ facts: RequestFacts) -> Bool {
        switch self {
        case .always: return true
        case .tls: return facts.isTLS
        case .pathPrefix(let prefixes):
            let path = facts.path
            return prefixes.contains { path.hasPrefix($0) }
        case .host(let hosts):
            guard let name = facts.hostName else { return false }
            return hosts.contains(name)
        case .not(let inner): return !inner.matches(facts)
        case .all(let parts): return parts.allSatisfy { $0.matches(facts) }
        case .any(let parts): return parts.contains { $0.matches(facts) }
        }
    }
}

extension HeaderValueTemplate {
    /// The value for one request. A fetch with nothing to give (no SNI, header absent) renders
    /// as the empty string, as HAProxy does.
    func render(_ facts: RequestFacts) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text): result += text
            case .clientAddress: result += facts.clientAddress
            case .clientPort: result += String(facts.clientPort)
            case .scheme: result += facts.isTLS ? "https" : "http"
            case .tlsFlag: result += facts.isTLS ? "1" : "0"
            case .tlsServerName: result += facts.serverName ?? ""
            case .listenerPort: result += String(facts.listenerPort)
            case .requestHeader(let name): result += facts.header(name) ?? ""
            }
        }
        return result
    }
}
