import Foundation

/// One admin request, read whole (bodies are small JSON documents).
struct AdminRequest: Sendable {
    var method: String
    /// The request target: path and optional query.
    var target: String
    var authorization: String?
    var body: [UInt8]
}

/// One admin response.
struct AdminResponse: Sendable {
    var status: Int
    var contentType: String
    var body: String
    var headers: [(name: String, value: String)] = []

    static func json(_ status: Int, _ object: [String: String]) -> AdminResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = (try? encoder.encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return AdminResponse(status: status, contentType: "application/json", body: text + "\n")
    }

    static func error(_ status: Int, _ message: String) -> AdminResponse {
        .json(status, ["error": message])
    }
}

/// The admin listener's routes, as a function from request to response (no NIO here, so the
/// rules — the token, the paths, the answers — are tested without a socket):
///
/// | method and path | answer |
/// |---|---|
/// | `GET /` (or `/stats`) | the HTML stats page (``StatsPage``); with a token and without it, a 401 whose page asks for the token |
/// | `GET /stats.css`, `/stats.js` | the page's style sheet and script, without the token (no data in them) |
/// | `GET /metrics` | Prometheus text exposition |
/// | `GET /api/backends` | every backend, endpoint and certificate as JSON |
/// | `POST /api/backends/B/endpoints/ID/drain` / `maint` / `enable` | take an endpoint out of rotation (in-flight requests finish) / back; ID is `address:port` or the server name (`srv1`) |
/// | `POST /api/backends/B/endpoints/ID/weight` `{"weight": N}` | set its weight (0–65535) |
/// | `POST /api/backends/B/refresh` | resolve the backend's SRV name now |
/// | `POST /api/reload` | the injected ``AdminReloadAction`` |
///
/// With a token, every request needs `Authorization: Bearer TOKEN` (compared in constant
/// time), else 401.
struct AdminRouter: Sendable {
    let inspector: ProxyInspector
    let token: String?
    let reload: AdminReloadAction

    func respond(to request: AdminRequest) async -> AdminResponse {
        let path = request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.target
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let isGet = request.method == "GET"
        let isPost = request.method == "POST"
        let isPage = segments.isEmpty || segments == ["stats"]
        if isGet && segments == ["stats.css"] {
            return AdminResponse(status: 200, contentType: "text/css; charset=utf-8", body: StatsPageAssets.css)
        }
        if isGet && segments == ["stats.js"] {
            return AdminResponse(status: 200, contentType: "text/javascript; charset=utf-8", body: StatsPageAssets.script)
        }
        if let token, !Self.authorized(request.authorization, token: token) {
            var response = AdminResponse.error(401, "missing or wrong bearer token")
            if isGet && isPage {
                // A browser cannot send a bearer token on navigation: the page asks for it.
                response = Self.page(status: 401, StatsPage.signIn())
            }
            response.headers.append(("WWW-Authenticate", "Bearer realm=\"proxyd admin\""))
            return response
        }
        if segments.isEmpty || segments == ["stats"] || segments == ["metrics"] || segments == ["api", "backends"] {
            guard isGet else { return Self.methodNotAllowed("GET") }
            if segments == ["metrics"] {
                return AdminResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: await inspector.metricsText())
            }
            let status = await inspector.status()
            if segments == ["api", "backends"] {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                guard let data = try? encoder.encode(status) else { return .error(500, "encoding failed") }
                return AdminResponse(status: 200, contentType: "application/json", body: String(decoding: data, as: UTF8.self) + "\n")
            }
            return Self.page(status: 200, StatsPage.render(status, actions: token != nil))
        }
        if segments.count == 6 && segments[0] == "api" && segments[1] == "backends" && segments[3] == "endpoints" {
            guard isPost else { return Self.methodNotAllowed("POST") }
            return endpointAction(backend: segments[2], endpoint: segments[4], verb: segments[5], body: request.body)
        }
        if segments.count == 4 && segments[0] == "api" && segments[1] == "backends" && segments[3] == "refresh" {
            guard isPost else { return Self.methodNotAllowed("POST") }
            let backend = segments[2]
            guard inspector.backends.contains(where: { $0.name == backend }) else { return .error(404, "no backend '\(backend)'") }
            guard inspector.refreshDNS(backend: backend) else { return .error(409, "backend '\(backend)' has static servers, not an SRV name") }
            return .json(202, ["backend": backend, "result": "refresh requested"])
        }
        if segments == ["api", "reload"] {
            guard isPost else { return Self.methodNotAllowed("POST") }
            let outcome = await reload.run()
            return outcome.ok ? .json(200, ["result": "reloaded", "message": outcome.message]) : .error(422, outcome.message)
        }
        return .error(404, "no such admin resource: \(path)")
    }

    private func endpointAction(backend: String, endpoint: String, verb: String, body: [UInt8]) -> AdminResponse {
        let override: BackendGroup.Override
        switch verb {
        case "drain": override = .drain
        case "maint": override = .maintenance
        case "enable": override = .enable
        case "weight":
            struct WeightBody: Decodable { var weight: Int }
            guard let decoded = try? JSONDecoder().decode(WeightBody.self, from: Data(body)) else {
                return .error(400, "the body must be a JSON object {\"weight\": N}")
            }
            guard let weight = UInt16(exactly: decoded.weight) else { return .error(400, "weight must be 0-65535") }
            override = .weight(weight)
        default:
            return .error(404, "unknown endpoint action '\(verb)': drain, maint, enable or weight")
        }
        switch inspector.apply(override, backend: backend, endpoint: endpoint) {
        case .applied:
            let result = switch override {
            case .drain: "drained"
            case .maintenance: "in maintenance"
            case .enable: "enabled"
            case .weight: "weight set"
            }
            return .json(200, ["backend": backend, "endpoint": endpoint, "result": result])
        case .unknownBackend: return .error(404, "no backend '\(backend)'")
        case .unknownEndpoint: return .error(404, "backend '\(backend)' has no endpoint '\(endpoint)'")
        case .refused(let reason): return .error(409, reason)
        }
    }

    /// An HTML page with the stats page's Content-Security-Policy.
    private static func page(status: Int, _ html: String) -> AdminResponse {
        AdminResponse(status: status, contentType: "text/html; charset=utf-8", body: html, headers: [
            ("Content-Security-Policy", StatsPageAssets.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
        ])
    }

    private static func methodNotAllowed(_ allowed: String) -> AdminResponse {
        var response = AdminResponse.error(405, "use \(allowed)")
        response.headers.append(("Allow", allowed))
        return response
    }

    /// `Bearer TOKEN` compared without an early exit, so response time does not reveal how
    /// much of a guess was right (RFC 6750 §2.1 for the header).
    static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let given = Array(header.dropFirst(7).utf8)
        let expected = Array(token.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
