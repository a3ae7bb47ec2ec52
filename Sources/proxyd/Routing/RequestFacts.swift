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
    /// The client address as a number, for `src` (read from the socket once per connection).
    var clientIP: IPAddressValue?
    /// The request method; for `.other` the bytes come from the parsed head (`headers`).
    var method: HTTPMethod
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

    /// `clientIP` nil: parsed from `clientAddress` (tests); the forwarding path passes the
    /// one it read from the socket. `method` nil: the parsed head's, else GET.
    init(target: String, host: String?, isTLS: Bool, clientAddress: String, clientPort: Int, listenerPort: Int,
         serverName: String? = nil, headers: HeaderSource = .none, clientIP: IPAddressValue? = nil, method: HTTPMethod? = nil) {
        self.target = target
        self.host = host
        self.isTLS = isTLS
        self.clientAddress = clientAddress
        self.clientIP = clientIP ?? IPAddressValue(clientAddress)
        if let method {
            self.method = method
        } else if case .head(let head) = headers {
            self.method = head.method
        } else {
            self.method = .get
        }
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
