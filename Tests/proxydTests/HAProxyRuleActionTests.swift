import Testing
@testable import proxyd

/// haproxy.cfg's rule actions beyond header edits: request rules in backends, `http-request
/// deny|return|allow`, and `http-response set-header|add-header|del-header`, read as HAProxy
/// 2.6's manual writes them, and every malformed form refused at its line with the reason.
@Suite("haproxy.cfg: rule actions")
struct HAProxyRuleActionTests {
    private func load(front: [String] = [], back: [String] = []) throws -> ProxyConfiguration {
        try HAProxyTestFiles.load(HAProxyTestFiles.file(front: front, back: back)).configuration
    }

    private func errors(front: [String] = [], back: [String] = []) -> [String] {
        HAProxyTestFiles.errors(HAProxyTestFiles.file(front: front, back: back))
    }

    private func backendRules(_ lines: [String]) throws -> [RequestRuleAction] {
        try #require(try load(back: lines).backend(named: "app")).requestRules.map(\.action)
    }

    private func frontendRule(_ line: String) throws -> RequestRule {
        try #require(try load(front: [line]).listeners.first?.rules.first)
    }

    @Test("a backend's redirect and http-request rules become its rules, http-request first as HAProxy runs them; the listener keeps none")
    func backendRequestRules() throws {
        let configuration = try load(back: [
            "redirect scheme https code 301 if !{ ssl_fc }",
            "http-request set-header X-Backend app",
        ])
        let backend = try #require(configuration.backend(named: "app"))
        #expect(backend.requestRules.map(\.action) == [
            .setHeader(name: "X-Backend", value: HeaderValueTemplate(parts: [.literal("app")])),
            .redirectScheme(scheme: "https", code: 301, port: nil),
        ])
        #expect(backend.requestRules[1].condition == .not(.tls))
        #expect(backend.requestRules[1].location == SourceLocation(file: "haproxy.cfg", line: 5, column: nil))
        #expect(configuration.listeners[0].rules.isEmpty)
    }

    @Test("ACLs declared in a backend serve its rules")
    func backendACL() throws {
        let rules = try #require(try load(back: ["acl is_admin path_beg /admin", "http-request deny if is_admin"]).backend(named: "app")).requestRules
        #expect(rules.map(\.action) == [.deny(status: 403)])
        #expect(rules.map(\.condition) == [.pathPrefix(["/admin"])])
    }

    @Test("a listen section serving its own requests runs its rules on its backend; one with use_backend keeps them on its listener")
    func listenRules() throws {
        let own = try HAProxyTestFiles.load("""
            listen site
                bind 127.0.0.1:8080
                http-request deny if { path_beg /private }
                http-response set-header X-Site site
                server s1 127.0.0.1:9000
            """).configuration
        #expect(own.listeners[0].rules.isEmpty && own.listeners[0].responseRules.isEmpty)
        #expect(own.backend(named: "site")?.requestRules.map(\.action) == [.deny(status: 403)])
        #expect(own.backend(named: "site")?.responseRules.count == 1)
        let routing = try HAProxyTestFiles.load("""
            listen site
                bind 127.0.0.1:8080
                http-request deny if { path_beg /private }
                use_backend api if { path_beg /api }
                server s1 127.0.0.1:9000
            backend api
                server a1 127.0.0.1:9001
            """).configuration
        #expect(routing.listeners[0].rules.map(\.action) == [.deny(status: 403)])
        #expect(routing.backend(named: "site")?.requestRules.isEmpty == true)
    }

    @Test("another section routing to a listen section whose rules stay on its listener is refused at the reference")
    func routingToListenWithRules() {
        let text = """
            listen site
                bind 127.0.0.1:8080
                http-request deny if { path_beg /private }
                use_backend api if { path_beg /api }
                server s1 127.0.0.1:9000
            backend api
                server a1 127.0.0.1:9001
            frontend other
                bind 127.0.0.1:8081
                default_backend site
            """
        #expect(HAProxyTestFiles.errors(text) == [
            "haproxy.cfg:10: error: listen 'site' has use_backend lines and rules of its own, which proxyd runs for its own listener only; split it into a frontend and a backend so that requests routed to it from here get its rules",
        ])
    }

    @Test("http-request deny is proxyd's error response for 403, or for deny_status N")
    func deny() throws {
        #expect(try frontendRule("http-request deny").action == .deny(status: 403))
        #expect(try frontendRule("http-request deny deny_status 429 if { path_beg /api }").action == .deny(status: 429))
        #expect(try frontendRule("http-request deny if { path_beg /api }").condition == .pathPrefix(["/api"]))
        #expect(try frontendRule("http-request return status 503 default-errorfiles").action == .deny(status: 503))
    }

    @Test("http-request deny with status or a payload is a reply of its own, as HAProxy sends it")
    func denyWithReply() throws {
        #expect(try frontendRule("http-request deny status 429").action == .respond(ConfiguredResponse(status: 429)))
        #expect(try frontendRule("http-request deny content-type text/plain string no").action
            == .respond(ConfiguredResponse(status: 403, contentType: "text/plain", body: "no")))
    }

    @Test("http-request return reads status, content-type, string and hdr; 200 and no body by default")
    func returnResponse() throws {
        #expect(try frontendRule("http-request return").action == .respond(ConfiguredResponse()))
        #expect(try frontendRule(#"http-request return status 200 content-type "text/plain; charset=utf-8" string "hello world" hdr X-Test v1 hdr X-Client %[src] if { path_beg /ping }"#).action
            == .respond(ConfiguredResponse(status: 200, contentType: "text/plain; charset=utf-8", body: "hello world", headers: [
                .init(name: "X-Test", value: HeaderValueTemplate(parts: [.literal("v1")])),
                .init(name: "X-Client", value: HeaderValueTemplate(parts: [.clientAddress])),
            ])))
        // HAProxy ignores the content type of an empty response.
        #expect(try frontendRule("http-request return status 404 content-type text/plain").action == .respond(ConfiguredResponse(status: 404)))
    }

    @Test("http-request allow takes no argument")
    func allow() throws {
        #expect(try frontendRule("http-request allow if { ssl_fc }").action == .allow)
    }

    @Test("http-response set-header, add-header and del-header on frontends and backends, with connection conditions")
    func responseRules() throws {
        let configuration = try load(
            front: [#"http-response set-header Strict-Transport-Security "max-age=63072000" if { ssl_fc }"#],
            back: ["http-response add-header X-Served-By %[dst_port]", "http-response del-header Server -m str"])
        let listener = configuration.listeners[0]
        #expect(listener.responseRules.map(\.action) == [
            .setHeader(name: "Strict-Transport-Security", value: HeaderValueTemplate(parts: [.literal("max-age=63072000")])),
        ])
        #expect(listener.responseRules.map(\.condition) == [.tls])
        #expect(configuration.backend(named: "app")?.responseRules.map(\.action) == [
            .addHeader(name: "X-Served-By", value: HeaderValueTemplate(parts: [.listenerPort])),
            .removeHeader(name: "Server"),
        ])
    }

    @Test("malformed rule actions, each with its exact error", arguments: [
        ("http-request deny deny_status 418", "haproxy.cfg:3: error: http-request deny: status 418 has no error page (there are pages for 200, 400, 403, 404, 405, 408, 410, 413, 425, 429, 500, 501, 502, 503 and 504); write content-type TYPE string TEXT for a response of your own"),
        ("http-request deny deny_status", "haproxy.cfg:3: error: http-request deny: 'deny_status' needs a value"),
        ("http-request deny status abc", "haproxy.cfg:3: error: http-request deny: status must be a number from 200 to 599, found 'abc'"),
        ("http-request return status 700", "haproxy.cfg:3: error: http-request return: status must be a number from 200 to 599, found '700'"),
        ("http-request return status 101", "haproxy.cfg:3: error: http-request return: status must be a number from 200 to 599, found '101'"),
        ("http-request return deny_status 403", "haproxy.cfg:3: error: http-request return: unexpected 'deny_status'; write status N"),
        (#"http-request return status 200 string "x""#, "haproxy.cfg:3: error: http-request return: a body needs a content type (content-type TYPE), as HAProxy requires"),
        ("http-request return status 204 content-type text/plain string x", "haproxy.cfg:3: error: http-request return: status 204 cannot have a body (RFC 9110 §15.3.5, §15.4.5)"),
        ("http-request return status 200 content-type text/plain file /var/www/ok.txt", "haproxy.cfg:3: error: http-request return: 'file' is not supported: a body from a file is not supported; write content-type TYPE string TEXT"),
        (#"http-request return content-type text/plain lf-string "%[src]""#, "haproxy.cfg:3: error: http-request return: 'lf-string' is not supported: a log-format body is not supported; write string TEXT (without %[fetch] samples)"),
        ("http-request return errorfile /etc/haproxy/errors/200.http", "haproxy.cfg:3: error: http-request return: 'errorfile' is not supported: an error page from a file is not supported; write content-type TYPE string TEXT"),
        ("http-request return hdr Content-Length 5", "haproxy.cfg:3: error: http-request return: header 'Content-Length' cannot be set: proxyd writes Content-Length, Content-Type and Connection itself"),
        ("http-request return hdr X-A", "haproxy.cfg:3: error: http-request return: 'hdr X-A' needs a value"),
        ("http-request return hdr Bad:Name v", "haproxy.cfg:3: error: 'Bad:Name' is not a valid header name (RFC 9110 §5.1: letters, digits and !#$%&'*+-.^_`|~)"),
        ("http-request return status 200 content-type text/plain string a string b", "haproxy.cfg:3: error: http-request return: the body is given twice"),
        ("http-request return status 200 body x", "haproxy.cfg:3: error: http-request return: unexpected 'body'; expected status, content-type, string, hdr, default-errorfiles, 'if' or 'unless'"),
        ("http-request return status 418 default-errorfiles", "haproxy.cfg:3: error: http-request return: status 418 has no error page (there are pages for 200, 400, 403, 404, 405, 408, 410, 413, 425, 429, 500, 501, 502, 503 and 504); write content-type TYPE string TEXT for a response of your own"),
        ("http-request allow now", "haproxy.cfg:3: error: http-request allow takes no argument; expected 'if' or 'unless', found 'now'"),
        ("http-request tarpit", "haproxy.cfg:3: error: unsupported http-request action 'tarpit': tarpit is not supported; write http-request deny"),
        ("http-response set-header X-A", "haproxy.cfg:3: error: http-response set-header needs a header name and a value"),
        ("http-response set-header X-A a b", "haproxy.cfg:3: error: http-response set-header: unexpected 'b' after the value; quote a value that contains spaces"),
        ("http-response del-header X-A -m beg", "haproxy.cfg:3: error: http-response del-header: only exact names are supported (found '-m beg')"),
        ("http-response", "haproxy.cfg:3: error: http-response needs an action (set-header, add-header, del-header)"),
        ("http-response set-status 503", "haproxy.cfg:3: error: unsupported http-response action 'set-status'; proxyd supports set-header, add-header and del-header"),
        ("http-response set-header X-A 1 if { status 200 }", "haproxy.cfg:3: error: http-response: 'status' reads the response, which proxyd's conditions do not; response rules take conditions on the request's connection (ssl_fc)"),
        ("http-response set-header X-A 1 if { res.hdr(server) -m found }", "haproxy.cfg:3: error: http-response: 'res.hdr(server)' reads the response, which proxyd's conditions do not; response rules take conditions on the request's connection (ssl_fc)"),
        ("http-response set-header X-A 1 if { path_beg /api }", "haproxy.cfg:3: error: http-response: a path condition (path_beg, path_prefix) reads the request's path, which HAProxy no longer has when the response arrives (it never matches there)"),
        ("http-response set-header X-A 1 unless { hdr(host) a.example }", "haproxy.cfg:3: error: http-response: a host condition (hdr(host), host) in a response rule reads the response's headers in HAProxy, not the request's; proxyd does not evaluate response headers"),
        ("http-response set-header X-A 1 if { path_end .js }", "haproxy.cfg:3: error: http-response: a condition on the request's path, URL or query reads what HAProxy no longer has when the response arrives (it never matches there)"),
        ("http-response set-header X-A 1 if { hdr_sub(user-agent) curl }", "haproxy.cfg:3: error: http-response: a header condition (hdr(), req.hdr()) in a response rule reads the response's headers in HAProxy, not the request's; proxyd does not evaluate response headers"),
        ("http-response set-header X-Host %[req.hdr(host)]", "haproxy.cfg:3: error: http-response set-header: '%[req.hdr(host)]' cannot be used in a response rule: request headers are gone when the response arrives (HAProxy refuses req.hdr there and reads hdr() from the response)"),
        ("http-after-response set-header X-A 1", "haproxy.cfg:3: error: unsupported directive 'http-after-response' in section frontend 'web'; proxyd's own responses (redirects, errors, return) are not rewritten; http-response rules apply to backend responses"),
    ])
    func malformed(line: String, message: String) {
        #expect(errors(front: [line]) == [message])
    }

    @Test("response rules take the connection's facts and the request method: src, method and ssl_fc_sni conditions load")
    func responseRuleConnectionConditions() {
        for condition in ["{ src 10.0.0.0/8 }", "{ method GET }", "{ ssl_fc_sni -m end .example.com }"] {
            #expect(errors(front: ["http-response set-header X-A 1 if \(condition)"]) == [], "\(condition)")
        }
    }

    @Test("an http-request redirect after an http-request allow is refused: HAProxy's allow skips it")
    func redirectAfterAllow() {
        #expect(errors(front: ["http-request allow if { ssl_fc }", "http-request redirect scheme https"]) == [
            "haproxy.cfg:4: error: this http-request redirect follows the http-request allow at line 3, which HAProxy lets skip it; proxyd's allow skips only the rules that are not redirects: move the redirect before the allow, or write it as a 'redirect' directive",
        ])
        #expect(errors(front: ["http-request allow if { ssl_fc }", "redirect scheme https"]) == [])
    }
}
