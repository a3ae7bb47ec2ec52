/// Decides what happens to a request on one listener: answer it itself (redirect, deny,
/// configured response), forward it to a backend with header edits, or answer 503 because no
/// backend is configured for it.
///
/// HAProxy's order (`http_process_req_common`, run for the frontend, then for the backend it
/// picked): the listener's rules in file order — `http-request` rules, then `redirect` rules —
/// then its routes pick a backend, then that backend's rules the same way. A redirect, deny or
/// return ends the evaluation; `allow` ends the `http-request` rules of its own list. Forwarding
/// headers come first so that explicit rules can override them (`set_header X-Forwarded-Proto`).
/// Response edits (HAProxy `http-response`) are decided here too, from the request's facts:
/// the backend's first, then the listener's, as HAProxy applies them.
///
/// Built once per listener and configuration generation, immutable, shared by every event loop.
/// With no rules anywhere, routing allocates nothing beyond what the forwarding headers need.
struct RequestRouter: Sendable {
    /// The router's verdict for one request.
    enum Decision: Sendable, Equatable {
        case redirect(location: String, status: Int)
        /// `responseEdits` apply to the head of the backend's response (none: sent as is).
        case forward(backend: String, edits: [HeaderEdit], responseEdits: [HeaderEdit] = [])
        /// Refused with proxyd's error response for `status` (`http-request deny`); `backend`
        /// names the backend whose rule denied it (its error pages apply), nil for the listener's.
        case deny(status: Int, backend: String? = nil)
        /// Answered with a response from the configuration (`http-request return`).
        case respond(ConfiguredResponse.Rendered)
        /// No route matched and the listener has no default backend.
        case noBackend
        /// A redirect applies but cannot be built: the request has no Host to redirect to.
        case missingHost
    }

    /// A backend's rules, looked up once when the router is built.
    private struct BackendRules: Sendable {
        var request: [RequestRule]
        var response: [ResponseRule]
    }

    let listener: ListenerConfiguration
    /// The rules of each route's backend, by route index (nil: the backend has none).
    private let routeRules: [BackendRules?]
    private let defaultBackendRules: BackendRules?
    /// Room for the request edits of the listener and of its busiest backend, reserved once.
    private let editCapacity: Int

    init(listener: ListenerConfiguration, backends: [BackendConfiguration] = []) {
        self.listener = listener
        var byName: [String: BackendRules] = [:]
        for backend in backends where !backend.requestRules.isEmpty || !backend.responseRules.isEmpty {
            byName[backend.name] = byName[backend.name] ?? BackendRules(request: backend.requestRules, response: backend.responseRules)
        }
        routeRules = listener.routes.map { byName[$0.backend] }
        defaultBackendRules = listener.defaultBackend.flatMap { byName[$0] }
        let backendRuleCount = (routeRules + [defaultBackendRules]).map { $0?.request.count ?? 0 }.max() ?? 0
        editCapacity = (listener.forwardedHeaders ? 4 : 0) + (listener.rfc7239Forwarded ? 1 : 0) + listener.rules.count + backendRuleCount
    }

    func route(_ facts: RequestFacts) -> Decision {
        var edits: [HeaderEdit] = []
        // One allocation at most: the forwarding headers, Forwarded and the rules (none when
        // the listener and its backends edit nothing).
        if editCapacity > 0 { edits.reserveCapacity(editCapacity) }
        if listener.forwardedHeaders {
            Self.appendForwardedHeaders(facts, to: &edits)
        }
        if listener.rfc7239Forwarded {
            edits.append(.append(name: "Forwarded", value: Self.rfc7239Element(facts)))
        }
        if let answer = apply(listener.rules, facts, to: &edits) { return answer }
        var backend = listener.defaultBackend
        var backendRules = defaultBackendRules
        for (index, route) in listener.routes.enumerated() where route.condition.matches(facts) {
            backend = route.backend
            backendRules = routeRules[index]
            break
        }
        guard let backend else { return .noBackend }
        guard let backendRules else {
            if listener.responseRules.isEmpty { return .forward(backend: backend, edits: edits) }
            return .forward(backend: backend, edits: edits, responseEdits: Self.responseEdits(listener.responseRules, facts))
        }
        if let answer = apply(backendRules.request, facts, to: &edits) {
            if case .deny(let status, _) = answer { return .deny(status: status, backend: backend) }
            return answer
        }
        if backendRules.response.isEmpty && listener.responseRules.isEmpty { return .forward(backend: backend, edits: edits) }
        return .forward(backend: backend, edits: edits, responseEdits: Self.responseEdits(backendRules.response, then: listener.responseRules, facts))
    }

    /// Runs one section's request rules: header edits go into `edits`; a rule that answers the
    /// request ends everything and is returned.
    private func apply(_ rules: [RequestRule], _ facts: RequestFacts, to edits: inout [HeaderEdit]) -> Decision? {
        var allowed = false
        for rule in rules {
            // HAProxy: `allow` ends the http-request rules; the redirect rules still run.
            if allowed && !rule.action.isRedirect { continue }
            guard rule.condition.matches(facts) else { continue }
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
            case .deny(let status):
                return .deny(status: status)
            case .respond(let response):
                return .respond(response.rendered(facts))
            case .allow:
                allowed = true
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
        return nil
    }

    /// The response edits of these rule lists, in order. A removal also drops what an earlier
    /// rule added under that name, as HAProxy edits the response in place rule after rule.
    /// (The backend's rules, then the listener's; two parameters rather than an array of lists,
    /// which would be built anew for every request.)
    private static func responseEdits(_ first: [ResponseRule], then second: [ResponseRule] = [], _ facts: RequestFacts) -> [HeaderEdit] {
        var edits: [HeaderEdit] = []
        edits.reserveCapacity(first.count + second.count)
        func collect(_ rules: [ResponseRule]) {
            for rule in rules where rule.condition.matches(facts) {
                switch rule.action {
                case .addHeader(let name, let value): edits.append(.add(name: name, value: value.render(facts)))
                case .setHeader(let name, let value): edits.append(.set(name: name, value: value.render(facts)))
                case .removeHeader(let name):
                    edits.removeAll { edit in
                        switch edit {
                        case .add(let added, _), .set(let added, _), .append(let added, _): added.lowercased() == name.lowercased()
                        case .remove: false
                        }
                    }
                    edits.append(.remove(name: name))
                }
            }
        }
        collect(first)
        collect(second)
        return edits
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
