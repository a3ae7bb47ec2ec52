import Testing
@testable import proxyd

/// How a listener's rules and routes decide each request, on the seed's setup.
@Suite("Request routing")
struct RequestRouterTests {
    private static let here = SourceLocation(file: "test", line: 1, column: nil)

    private func facts(_ target: String = "/", host: String? = "example.com", tls: Bool = false,
                       headers: [String: String] = [:]) -> RequestFacts {
        RequestFacts(target: target, host: host, isTLS: tls, clientAddress: "203.0.113.7", clientPort: 50_000,
                     listenerPort: tls ? 443 : 80, serverName: tls ? "example.com" : nil,
                     header: { name in headers.first { $0.key.lowercased() == name.lowercased() }?.value })
    }

    private func ecsListeners() throws -> (http: RequestRouter, https: RequestRouter) {
        let config = try ConfigurationFile.load(path: TestPaths.repository.appendingPathComponent("examples/ecs.yaml").path).configuration
        return (RequestRouter(listener: config.listeners[0]), RequestRouter(listener: config.listeners[1]))
    }

    @Test("plain HTTP is redirected to the same host and target on https with 301")
    func redirectsToHTTPS() throws {
        let router = try ecsListeners().http
        #expect(router.route(facts("/a/b?c=d", host: "Example.com:80")) == .redirect(location: "https://Example.com:80/a/b?c=d", status: 301))
    }

    @Test("ACME challenges are not redirected but forwarded, so certbot can renew")
    func acmeChallengeIsForwarded() throws {
        let router = try ecsListeners().http
        guard case .forward(let backend, _, _) = router.route(facts("/.well-known/acme-challenge/token")) else {
            Issue.record("expected forward")
            return
        }
        #expect(backend == "hello")
    }

    @Test("HTTPS requests are forwarded with X-Forwarded-* and the seed's X-SSL header")
    func httpsForwardedWithHeaders() throws {
        let router = try ecsListeners().https
        #expect(router.route(facts("/x", tls: true)) == .forward(backend: "hello", edits: [
            .append(name: "X-Forwarded-For", value: "203.0.113.7"),
            .set(name: "X-Forwarded-Proto", value: "https"),
            .set(name: "X-Forwarded-Port", value: "443"),
            .set(name: "X-Forwarded-Host", value: "example.com"),
            .set(name: "X-Forwarded-Proto", value: "https"),
            .set(name: "X-SSL", value: "1"),
        ]))
    }

    @Test("a redirect with a port replaces the Host's port, and drops it for the scheme's default")
    func redirectToPort() {
        var listener = ListenerConfiguration(name: "l", bind: .init(host: "0.0.0.0", port: 8080), location: Self.here)
        listener.rules = [RequestRule(action: .redirectScheme(scheme: "https", code: 301, port: 8443), location: Self.here)]
        #expect(RequestRouter(listener: listener).route(facts("/a?b", host: "localhost:8080")) == .redirect(location: "https://localhost:8443/a?b", status: 301))
        listener.rules = [RequestRule(action: .redirectScheme(scheme: "https", code: 308, port: 443), location: Self.here)]
        #expect(RequestRouter(listener: listener).route(facts("/", host: "[::1]:8080")) == .redirect(location: "https://[::1]/", status: 308))
    }

    @Test("a redirect without a Host header cannot be built")
    func redirectNeedsHost() throws {
        let router = try ecsListeners().http
        #expect(router.route(facts("/", host: nil)) == .missingHost)
    }

    @Test("routes pick backends by host and path; the first match wins; else the default")
    func routesByHostAndPath() {
        var listener = ListenerConfiguration(name: "l", bind: .init(host: "0.0.0.0", port: 80), location: Self.here)
        listener.forwardedHeaders = false
        listener.routes = [
            Route(backend: "api", condition: .host(["api.example.com"]), location: Self.here),
            Route(backend: "static", condition: .pathPrefix(["/static/", "/assets/"]), location: Self.here),
        ]
        listener.defaultBackend = "web"
        let router = RequestRouter(listener: listener)
        #expect(router.route(facts("/static/x", host: "API.example.com:8080")) == .forward(backend: "api", edits: []))
        #expect(router.route(facts("/assets/y")) == .forward(backend: "static", edits: []))
        #expect(router.route(facts("/assetsy")) == .forward(backend: "web", edits: []))
        listener.defaultBackend = nil
        #expect(RequestRouter(listener: listener).route(facts("/other")) == .noBackend)
    }

    @Test("header templates render client, scheme, TLS flag and request headers")
    func templatesRender() throws {
        let template = try HeaderValueTemplate(parsing: "%[src]:%[src_port] %[scheme] %[ssl_fc] %[ssl_fc_sni] %[dst_port] %[req.hdr(user-agent)] %[hdr(missing)]|")
        #expect(template.render(facts(tls: true, headers: ["User-Agent": "curl/8"])) == "203.0.113.7:50000 https 1 example.com 443 curl/8 |")
    }

    @Test("RFC 7239 Forwarded quotes IPv6 clients and non-token hosts")
    func rfc7239() {
        var f = facts(host: "example.com:8443")
        f.clientAddress = "2001:db8::1"
        #expect(RequestRouter.rfc7239Element(f) == "for=\"[2001:db8::1]\";proto=http;host=\"example.com:8443\"")
        #expect(RequestRouter.rfc7239Element(facts()) == "for=203.0.113.7;proto=http;host=example.com")
    }

    @Test("conditions combine with all, any and not", arguments: [
        ("/a", false, true), ("/b", false, false), ("/a", true, false), ("/c", false, true),
    ])
    func conditions(path: String, tls: Bool, expected: Bool) {
        let condition = RuleCondition.all([.not(.tls), .any([.pathPrefix(["/a"]), .pathPrefix(["/c"])])])
        #expect(condition.matches(facts(path, tls: tls)) == expected)
    }

    @Test("the seed's haproxy.cfg gives one X-Forwarded-Proto, though it adds the header itself")
    func seedAddsForwardedProtoOnce() throws {
        let path = TestPaths.repository.appendingPathComponent("Tests/proxydTests/Fixtures/seed-haproxy.cfg").path
        let config = try ConfigurationFile.load(path: path).configuration
        let https = try #require(config.listeners.first { $0.tls != nil })
        guard case .forward(_, let edits, _) = RequestRouter(listener: https).route(facts("/", tls: true)) else {
            Issue.record("expected the HTTPS listener to forward")
            return
        }
        let proto = edits.filter {
            switch $0 {
            case .add(let name, _), .set(let name, _), .append(let name, _), .remove(let name): name.lowercased() == "x-forwarded-proto"
            }
        }
        #expect(!proto.contains { if case .add = $0 { true } else { false } })
        #expect(proto.last == .set(name: "X-Forwarded-Proto", value: "https"))
        #expect(edits.contains(.set(name: "X-SSL", value: "1")))
    }
}
