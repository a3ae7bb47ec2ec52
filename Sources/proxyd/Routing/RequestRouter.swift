/// Decides what happens to a request on one listener: answer it with a redirect, forward it to
/// a backend with header edits, or answer 503 because no backend is configured for it.
///
/// Rules run in file order; the first redirect whose condition holds ends the evaluation
/// (HAProxy does the same). Forwarding headers come first so that explicit rules can
/// override them (`set_header X-Forwarded-Proto`). Built once per listener and configuration
/// generation, immutable, shared by every event loop.
struct RequestRouter: Sendable {
    /// The router's verdict for one request.
    enum Decision: Sendable, Equatable {
        case redirect(location: String, status: Int)
        case forward(backend: String, edits: [HeaderEdit])
        /// No route matched and the listener has no default backend.
        case noBackend
        /// A redirect applies but cannot be built: the request has no Host to redirect to.
        case missingHost
    }

    let listener: ListenerConfiguration

    init(listener: ListenerConfiguration) {
        self.listener = listener
    }

    func route(_ facts: RequestFacts) -> Decision {
        var edits: [HeaderEdit] = []
        // One allocation at most: the forwarding headers, Forwarded and the rules (none when
        // the listener edits nothing).
        let capacity = (listener.forwardedHeaders ? 4 : 0) + (listener.rfc7239Forwarded ? 1 : 0) + listener.rules.count
        if capacity > 0 { edits.reserveCapacity(capacity) }
        if listener.forwardedHeaders {
            Self.appendForwardedHeaders(facts, to: &edits)
        }
        if listener.rfc7239Forwarded {
            edits.append(.append(name: "Forwarded", value: Self.rfc7239Element(facts)))
        }
        for rule in listener.rules where rule.condition.matches(facts) {
            switch rule.action {
            case .redirectScheme(let scheme, let code, let port):
                guard let host = facts.host, !host.isEmpty else { return .missingHost }
                var authority = host
                if let port, let name = facts.hostName {
                    let bracketed = name.contains(":") ? "[\(name)]" : name
                    authority = (scheme == "https" && port == 443) || (scheme == "http" && port == 80) ? bracketed : "\(bracketed):\(port)"
                }
                return .redirect(location: "\(scheme)://\(authority)\(facts.target)", status: code)
            case .redirectPrefix(let prefix, let code):
                let base = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
                return .redirect(location: base + facts.target, status: code)
            case .addHeader(let name, let value):
                // A header the proxy already set from the connection (X-Forwarded-Proto…) is
                // replaced, not repeated: configurations written for HAProxy add it themselves,
                // and a backend comparing `X-Forwarded-Proto == "https"` must see one value.
                if listener.forwardedHeaders && Self.proxyOwnedHeaders.contains(name.lowercased()) {
                    edits.append(.set(name: name, value: value.render(facts)))
                } else {
                    edits.append(.add(name: name, value: value.render(facts)))
                }
            case .setHeader(let name, let value): edits.append(.set(name: name, value: value.render(facts)))
            case .removeHeader(let name): edits.append(.remove(name: name))
            }
        }
        for route in listener.routes where route.condition.matches(facts) {
            return .forward(backend: route.backend, edits: edits)
        }
        guard let backend = listener.defaultBackend else { return .noBackend }
        return .forward(backend: backend, edits: edits)
    }

    /// The headers `forwardedHeaders` sets (lowercased), which rules replace rather than repeat.
    static let proxyOwnedHeaders: Set<String> = ["x-forwarded-proto", "x-forwarded-host", "x-forwarded-port"]

    /// `X-Forwarded-For` (appended: earlier proxies' entries are kept), `X-Forwarded-Proto`,
    /// `X-Forwarded-Host` and `X-Forwarded-Port` (set: a client must not choose them).
    static func appendForwardedHeaders(_ facts: RequestFacts, to edits: inout [HeaderEdit]) {
        edits.append(.append(name: "X-Forwarded-For", value: facts.clientAddress))
        edits.append(.set(name: "X-Forwarded-Proto", value: facts.isTLS ? "https" : "http"))
        edits.append(.set(name: "X-Forwarded-Port", value: String(facts.listenerPort)))
        if let host = facts.host { edits.append(.set(name: "X-Forwarded-Host", value: host)) }
    }

    /// One RFC 7239 §4 element: `for=…;proto=…;host=…`, IPv6 addresses bracketed and quoted
    /// (§6), the host quoted when it is not a token.
    static func rfc7239Element(_ facts: RequestFacts) -> String {
        let client = facts.clientAddress.contains(":") ? "\"[\(facts.clientAddress)]\"" : facts.clientAddress
        var element = "for=\(client);proto=\(facts.isTLS ? "https" : "http")"
        if let host = facts.host {
            let isToken = !host.isEmpty && host.allSatisfy(\.isHTTPTokenCharacter)
            element += isToken ? ";host=\(host)" : ";host=\"\(host)\""
        }
        return element
    }
}
