import Testing
@testable import proxyd

/// The YAML side of the rule actions: `deny`, `return` and `allow` rules, per-backend `rules:`
/// and `response_rules:` on listeners and backends, with the exact error for each bad form.
@Suite("YAML configuration: rule actions")
struct YAMLRuleActionTests {
    private func file(listener: String = "", backend: String = "") -> String {
        """
        backends:
          app:
            servers: ["127.0.0.1:9000"]
        \(backend)
        listeners:
          - bind: 127.0.0.1:8080
            backend: app
        \(listener)
        """
    }

    private func load(listener: String = "", backend: String = "") throws -> ProxyConfiguration {
        try YAMLConfigurationLoader.load(yaml: file(listener: listener, backend: backend), file: "test.yaml").configuration
    }

    private func errors(listener: String = "", backend: String = "") -> [String] {
        do {
            _ = try YAMLConfigurationLoader.load(yaml: file(listener: listener, backend: backend), file: "test.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("a backend's rules and response rules read in the listener's shapes")
    func backendRules() throws {
        let configuration = try load(backend: """
                rules:
                  - redirect: { scheme: https, code: 301 }
                    unless: { tls: true }
                  - deny: 429
                    when: { path_prefix: [/slow] }
                response_rules:
                  - set_header: { name: Strict-Transport-Security, value: "max-age=63072000" }
                  - remove_header: Server
            """)
        let backend = try #require(configuration.backend(named: "app"))
        #expect(backend.requestRules.map(\.action) == [.redirectScheme(scheme: "https", code: 301, port: nil), .deny(status: 429)])
        #expect(backend.requestRules.map(\.condition) == [.not(.tls), .pathPrefix(["/slow"])])
        #expect(backend.responseRules.map(\.action) == [
            .setHeader(name: "Strict-Transport-Security", value: HeaderValueTemplate(parts: [.literal("max-age=63072000")])),
            .removeHeader(name: "Server"),
        ])
        #expect(backend.responseRules[1].location == SourceLocation(file: "test.yaml", line: 11, column: 9))
    }

    @Test("return, allow and response rules on a listener")
    func listenerRules() throws {
        let listener = try #require(try load(listener: """
                rules:
                  - allow: true
                    when: { tls: true }
                  - return: { status: 200, content_type: text/plain, body: "ok", headers: [{ name: X-Check, value: "%[src]" }] }
                    when: { path_prefix: [/ping] }
                response_rules:
                  - add_header: { name: X-Frame-Options, value: DENY }
                    when: { tls: true }
            """).listeners.first)
        #expect(listener.rules.map(\.action) == [
            .allow,
            .respond(ConfiguredResponse(status: 200, contentType: "text/plain", body: "ok", headers: [.init(name: "X-Check", value: HeaderValueTemplate(parts: [.clientAddress]))])),
        ])
        #expect(listener.responseRules.map(\.action) == [.addHeader(name: "X-Frame-Options", value: HeaderValueTemplate(parts: [.literal("DENY")]))])
        #expect(listener.responseRules.map(\.condition) == [.tls])
    }

    @Test("bad rule actions, each with its exact error")
    func badForms() {
        #expect(errors(listener: """
                rules:
                  - deny: 418
            """) == ["test.yaml:9:15: error: listeners[0].rules[0].deny must be a status proxyd has an error response for (200, 400, 403, 404, 405, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504); write `return:` for a response of your own"])
        #expect(errors(listener: """
                rules:
                  - allow: false
            """) == ["test.yaml:9:16: error: listeners[0].rules[0].allow can only be true; drop the rule instead"])
        #expect(errors(listener: """
                rules:
                  - return: { status: 200, body: "x" }
            """) == ["test.yaml:9:17: error: listeners[0].rules[0].return: a body needs a content type (content-type TYPE), as HAProxy requires"])
        #expect(errors(listener: """
                rules:
                  - return: { status: 99 }
            """) == ["test.yaml:9:27: error: listeners[0].rules[0].return.status must be between 200 and 599, found 99"])
        #expect(errors(listener: """
                rules:
                  - return: { status: 404, content_type: text/plain }
            """) == ["test.yaml:9:46: error: listeners[0].rules[0].return.content_type needs a `body:`; an empty response is sent without a content type"])
        #expect(errors(listener: """
                rules:
                  - return: { headers: [{ name: Content-Length, value: "1" }] }
            """) == ["test.yaml:9:17: error: listeners[0].rules[0].return: header 'Content-Length' cannot be set: proxyd writes Content-Length, Content-Type and Connection itself"])
        #expect(errors(listener: """
                response_rules:
                  - set_header: { name: X-A, value: "1" }
                    when: { path_prefix: [/api] }
            """) == ["test.yaml:9:9: error: listeners[0].response_rules[0]: a path condition (path_beg, path_prefix) reads the request's path, which HAProxy no longer has when the response arrives (it never matches there)"])
        #expect(errors(listener: """
                response_rules:
                  - set_header: { name: X-Host, value: "%[req.hdr(host)]" }
            """) == ["test.yaml:9:44: error: listeners[0].response_rules[0].set_header.value: '%[req.hdr(host)]' cannot be used in a response rule: request headers are gone when the response arrives (HAProxy refuses req.hdr there and reads hdr() from the response)"])
        #expect(errors(backend: """
                response_rules:
                  - redirect: { scheme: https }
            """) == ["test.yaml:5:9: error: unknown key 'redirect' in backends.app.response_rules[0]; expected one of: add_header, set_header, remove_header, when, unless",
                     "test.yaml:5:9: error: backends.app.response_rules[0]: a response rule needs exactly one action of: add_header, set_header, remove_header; found none"])
    }
}
