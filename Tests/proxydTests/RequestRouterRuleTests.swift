import Testing
@testable import proxyd

/// The router's rule evaluation in HAProxy's order: the listener's rules, then the routed
/// backend's; deny, return and redirect end it; allow ends one list's non-redirect rules; and the
/// response edits of the backend come before the listener's.
@Suite("Request routing: rule actions")
struct RequestRouterRuleTests {
    private static let here = SourceLocation(file: "test", line: 1, column: nil)

    private func facts(_ target: String = "/", tls: Bool = false) -> RequestFacts {
        RequestFacts(target: target, host: "example.com", isTLS: tls, clientAddress: "203.0.113.7", clientPort: 50_000,
                     listenerPort: tls ? 443 : 80)
    }

    private func rule(_ action: RequestRuleAction, _ condition: RuleCondition = .always) -> RequestRule {
        RequestRule(action: action, condition: condition, location: Self.here)
    }

    private func responseRule(_ action: ResponseRuleAction, _ condition: RuleCondition = .always) -> ResponseRule {
        ResponseRule(action: action, condition: condition, location: Self.here)
    }

    private func value(_ text: String) -> HeaderValueTemplate { HeaderValueTemplate(parts: [.literal(text)]) }

    private func listener(_ rules: [RequestRule] = [], response: [ResponseRule] = []) -> ListenerConfiguration {
        var listener = ListenerConfiguration(name: "web", bind: .init(host: "127.0.0.1", port: 80), location: Self.here)
        listener.forwardedHeaders = false
        listener.rules = rules
        listener.responseRules = response
        listener.routes = [Route(backend: "api", condition: .pathPrefix(["/api"]), location: Self.here)]
        listener.defaultBackend = "www"
        return listener
    }

    private func backend(_ name: String, _ rules: [RequestRule] = [], response: [ResponseRule] = []) -> BackendConfiguration {
        var backend = BackendConfiguration(name: name, membership: .servers([]), location: Self.here)
        backend.requestRules = rules
        backend.responseRules = response
        return backend
    }

    @Test("the seed's backend redirect: plain HTTP routed to the backend is redirected, TLS is forwarded")
    func backendRedirect() {
        let router = RequestRouter(listener: listener(), backends: [
            backend("www", [rule(.redirectScheme(scheme: "https", code: 301), .not(.tls))]), backend("api"),
        ])
        #expect(router.route(facts("/a?b")) == .redirect(location: "https://example.com/a?b", status: 301))
        #expect(router.route(facts("/a?b", tls: true)) == .forward(backend: "www", edits: []))
        // Another backend's rules do not apply.
        #expect(router.route(facts("/api/x")) == .forward(backend: "api", edits: []))
    }

    @Test("backend rules run after the listener's: header edits in order, and a listener's answer stops before the backend")
    func backendAfterListener() {
        let router = RequestRouter(
            listener: listener([rule(.setHeader(name: "X-Stage", value: value("front"))), rule(.deny(status: 403), .pathPrefix(["/api/admin"]))]),
            backends: [backend("api", [rule(.setHeader(name: "X-Stage", value: value("back"))), rule(.addHeader(name: "X-Api", value: value("1")))])])
        #expect(router.route(facts("/api/x")) == .forward(backend: "api", edits: [
            .set(name: "X-Stage", value: "front"), .set(name: "X-Stage", value: "back"), .add(name: "X-Api", value: "1"),
        ]))
        #expect(router.route(facts("/api/admin")) == .deny(status: 403))
        #expect(router.route(facts("/")) == .forward(backend: "www", edits: [.set(name: "X-Stage", value: "front")]))
    }

    @Test("deny and return end the evaluation; a return's header values are rendered for the request")
    func denyAndReturn() {
        let ping = ConfiguredResponse(status: 200, contentType: "text/plain", body: "pong", headers: [.init(name: "X-Client", value: HeaderValueTemplate(parts: [.clientAddress]))])
        let router = RequestRouter(listener: listener([
            rule(.respond(ping), .pathPrefix(["/ping"])),
            rule(.deny(status: 429), .pathPrefix(["/slow"])),
            rule(.setHeader(name: "X-After", value: value("1"))),
        ]), backends: [backend("www", [rule(.deny(status: 403), .pathPrefix(["/private"]))])])
        #expect(router.route(facts("/ping")) == .respond(.init(status: 200, contentType: "text/plain", body: "pong", headers: [.init(name: "X-Client", value: "203.0.113.7")])))
        #expect(router.route(facts("/slow")) == .deny(status: 429))
        #expect(router.route(facts("/private")) == .deny(status: 403, backend: "www"))
        #expect(router.route(facts("/")) == .forward(backend: "www", edits: [.set(name: "X-After", value: "1")]))
    }

    @Test("allow skips the rest of its list except redirects, and not the backend's rules")
    func allow() {
        let router = RequestRouter(listener: listener([
            rule(.allow, .tls),
            rule(.deny(status: 403)),
            rule(.setHeader(name: "X-Skipped", value: value("1"))),
            rule(.redirectPrefix(prefix: "https://moved.example", code: 302), .pathPrefix(["/old"])),
        ]), backends: [backend("www", [rule(.addHeader(name: "X-Backend", value: value("www")))])])
        #expect(router.route(facts("/", tls: false)) == .deny(status: 403))
        #expect(router.route(facts("/", tls: true)) == .forward(backend: "www", edits: [.add(name: "X-Backend", value: "www")]))
        #expect(router.route(facts("/old/page", tls: true)) == .redirect(location: "https://moved.example/old/page", status: 302))
    }

    @Test("response edits: the backend's rules, then the listener's, each when its condition holds")
    func responseEdits() {
        let router = RequestRouter(
            listener: listener(response: [
                responseRule(.setHeader(name: "Strict-Transport-Security", value: value("max-age=63072000")), .tls),
                responseRule(.addHeader(name: "X-Via", value: HeaderValueTemplate(parts: [.listenerPort]))),
            ]),
            backends: [backend("www", response: [responseRule(.removeHeader(name: "Server")), responseRule(.addHeader(name: "X-Via", value: value("www")))])])
        #expect(router.route(facts("/", tls: true)) == .forward(backend: "www", edits: [], responseEdits: [
            .remove(name: "Server"), .add(name: "X-Via", value: "www"),
            .set(name: "Strict-Transport-Security", value: "max-age=63072000"), .add(name: "X-Via", value: "443"),
        ]))
        #expect(router.route(facts("/api/x")) == .forward(backend: "api", edits: [], responseEdits: [.add(name: "X-Via", value: "80")]))
    }

    @Test("a response removal also drops what an earlier response rule added under that name")
    func responseRemovalAfterAddition() {
        let router = RequestRouter(listener: listener(response: [
            responseRule(.addHeader(name: "X-Debug", value: value("1"))), responseRule(.removeHeader(name: "x-debug")),
        ]))
        #expect(router.route(facts("/")) == .forward(backend: "www", edits: [], responseEdits: [.remove(name: "x-debug")]))
    }

    @Test("no rules anywhere: no edits and no response edits")
    func noRules() {
        let router = RequestRouter(listener: listener(), backends: [backend("www"), backend("api")])
        #expect(router.route(facts("/")) == .forward(backend: "www", edits: [], responseEdits: []))
    }
}
