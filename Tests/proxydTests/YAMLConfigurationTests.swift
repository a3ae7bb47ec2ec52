import Foundation
import Testing
@testable import proxyd

/// The native YAML configuration: what a valid file means, and the exact error (with
/// file:line:column) for each kind of mistake.
@Suite("YAML configuration")
struct YAMLConfigurationTests {
    private func load(_ yaml: String) throws -> LoadedConfiguration {
        try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml")
    }

    /// The messages of a refused file, one per problem.
    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    private let minimal = """
        backends:
          app:
            servers: ["127.0.0.1:9000"]
        listeners:
          - bind: 127.0.0.1:8080
            backend: app
        """

    @Test("the ECS example in examples/ecs.yaml loads into the model docs/configuration.md describes")
    func ecsExampleLoads() throws {
        let path = TestPaths.repository.appendingPathComponent("examples/ecs.yaml").path
        let loaded = try ConfigurationFile.load(path: path)
        let config = loaded.configuration
        #expect(loaded.warnings.isEmpty)
        #expect(config.listeners.map(\.name) == ["http", "https"])
        #expect(config.listeners[0].bind == BindAddress(host: "0.0.0.0", port: 80))
        #expect(config.listeners[0].rules.first?.action == .redirectScheme(scheme: "https", code: 301))
        #expect(config.listeners[0].rules.first?.condition == .not(.pathPrefix(["/.well-known/acme-challenge/"])))
        #expect(config.listeners[1].tls?.certificates == ["/etc/letsencrypt/live/yourdomain.com/"])
        #expect(config.listeners[1].rules.map(\.action) == [
            .setHeader(name: "X-Forwarded-Proto", value: HeaderValueTemplate(parts: [.literal("https")])),
            .setHeader(name: "X-SSL", value: HeaderValueTemplate(parts: [.tlsFlag])),
        ])
        let backend = try #require(config.backend(named: "hello"))
        #expect(backend.membership == .srv(SRVMembership(name: "_hello-world-service.internal", resolver: "awsdns")))
        #expect(backend.healthCheck?.kind == .http(method: "GET", path: "/health", host: nil, expectedStatus: 200...399))
        #expect(backend.slowStart == .seconds(10))
        let resolver = try #require(config.resolver(named: "awsdns"))
        #expect(resolver.nameservers == .explicit([BindAddress(host: "169.254.169.253", port: 53)]))
        #expect(resolver.holdOnFailure == .seconds(300))
        #expect(config.admin?.bind == BindAddress(host: "127.0.0.1", port: 9901))
    }

    @Test("a minimal file gets every documented default")
    func defaults() throws {
        let config = try load(minimal).configuration
        let backend = try #require(config.backends.first)
        #expect(backend.balance.strategy == .roundRobin)
        #expect(backend.retries == 2)
        #expect(backend.panicThreshold == 0.5)
        #expect(config.timeouts.connect == .seconds(5))
        #expect(config.timeouts.requestHead == .seconds(10))
        #expect(config.limits.maxHeaders == 100)
        #expect(config.listeners[0].forwardedHeaders)
        #expect(config.admin == nil)
    }

    @Test("writing the resolved model and reading it back gives the same model")
    func roundTrip() throws {
        let path = TestPaths.repository.appendingPathComponent("examples/ecs.yaml").path
        let original = try ConfigurationFile.load(path: path).configuration
        let written = try ConfigurationYAMLWriter.yaml(for: original)
        let reread = try YAMLConfigurationLoader.load(yaml: written, file: "written.yaml").configuration
        #expect(reread.listeners.map(\.rules) .map { $0.map(\.action) } == original.listeners.map(\.rules).map { $0.map(\.action) })
        #expect(reread.listeners.map(\.rules).map { $0.map(\.condition) } == original.listeners.map(\.rules).map { $0.map(\.condition) })
        #expect(reread.backends.map(\.membership) == original.backends.map(\.membership))
        #expect(reread.backends.map(\.healthCheck) == original.backends.map(\.healthCheck))
        #expect(reread.resolvers.map(\.nameservers) == original.resolvers.map(\.nameservers))
        #expect(reread.timeouts == original.timeouts)
        #expect(reread.limits == original.limits)
    }

    @Test("conditions with any/all/not survive a round trip through the writer")
    func conditionRoundTrip() throws {
        let yaml = minimal + """

                rules:
                  - set_header: { name: X-A, value: a }
                    when:
                      tls: false
                      any:
                        - { host: [a.example.com] }
                        - { path_prefix: [/x, /y] }
                      not: { host: b.example.com }
            """
        let original = try load(yaml).configuration
        let condition = try #require(original.listeners.first?.rules.first?.condition)
        #expect(condition == .all([.not(.tls), .any([.host(["a.example.com"]), .pathPrefix(["/x", "/y"])]), .not(.host(["b.example.com"]))]))
        let reread = try YAMLConfigurationLoader.load(yaml: ConfigurationYAMLWriter.yaml(for: original), file: "w.yaml")
        #expect(reread.configuration.listeners.first?.rules.first?.condition == condition)
    }

    @Test("an unknown key is reported at its line and column with the keys allowed there")
    func unknownKey() {
        let yaml = minimal.replacingOccurrences(of: "    servers:", with: "    retires: 3\n    servers:")
        #expect(errors(yaml) == [
            "test.yaml:3:5: error: unknown key 'retires' in backends.app; expected one of: srv, servers, balance, health_check, outlier_detection, slow_start, panic_threshold, pool, retries, max_requests_per_endpoint, error_pages, rules, response_rules"
        ])
    }

    @Test("a value of the wrong type is reported at the value")
    func wrongType() {
        let yaml = minimal.replacingOccurrences(of: "    servers:", with: "    retries: many\n    servers:")
        #expect(errors(yaml) == ["test.yaml:3:14: error: backends.app.retries must be a whole number, found the value 'many'"])
    }

    @Test("a duration without a unit is refused with the fix in the message")
    func durationNeedsUnit() {
        let yaml = minimal + "\ntimeouts:\n  connect: 5\n"
        #expect(errors(yaml) == ["test.yaml:8:12: error: timeouts.connect: duration '5' needs a unit: us, ms, s, m, h or d (e.g. '5s')"])
    }

    @Test("a reference to an undefined backend names the close match")
    func undefinedBackend() {
        let yaml = minimal.replacingOccurrences(of: "backend: app", with: "backend: ap")
        #expect(errors(yaml) == [
            "test.yaml:5:5: error: listener 'listener-8080' sends requests to backend 'ap', which is not defined; did you mean 'app'?",
            "test.yaml:2:3: warning: backend 'app' is not used by any listener",
        ])
    }

    @Test("every error of a file is reported, not only the first")
    func allErrorsReported() {
        let yaml = """
            backends:
              app:
                servers: ["127.0.0.1"]
                balance: { strategy: fastest }
            listeners:
              - bind: nowhere
            """
        #expect(errors(yaml) == [
            "test.yaml:3:15: error: address '127.0.0.1' has no port; write HOST:PORT, [IPv6]:PORT or :PORT",
            "test.yaml:3:5: error: backends.app: `servers:` is empty",
            "test.yaml:4:26: error: backends.app.balance.strategy must be one of: round_robin, random, least_connections, power_of_two_choices, ring_hash, maglev, bounded_load_hash, source_hash",
            "test.yaml:6:11: error: listeners[0].bind: address 'nowhere' has no port; write HOST:PORT, [IPv6]:PORT or :PORT",
        ])
    }

    @Test("YAML syntax errors point at libyaml's position")
    func syntaxError() {
        let messages = errors("listeners:\n  - bind: [unclosed\n")
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("test.yaml:3:1: error: YAML syntax:") == true)
    }

    @Test("an unknown sample fetch in a header value is refused at load time")
    func unknownFetch() {
        let yaml = minimal + "\n    rules:\n      - add_header: { name: X-Client, value: \"%[client_ip]\" }\n"
        #expect(errors(yaml) == [
            "test.yaml:8:46: error: listeners[0].rules[0].add_header.value: unknown sample fetch '%[client_ip]'; supported: src, src_port, scheme, ssl_fc, ssl_fc_sni, dst_port, req.hdr(NAME), hdr(NAME)"
        ])
    }

    @Test("a header value with an invisible or control character, or surrounding spaces, is refused at load time")
    func headerValueCharacters() throws {
        // (A byte-order mark cannot reach this check from YAML: the YAML reader drops U+FEFF.
        // The haproxy.cfg reader keeps it, see HAProxyConfigurationErrorTests.)
        let accented = minimal + "\n    rules:\n      - set_header: { name: X-Place, value: \"caf\\u00E9\" }\n"
        #expect(errors(accented) == [
            "test.yaml:8:45: error: listeners[0].rules[0].set_header.value: header value 'caf\\u{E9}' contains U+00E9; a header value may hold visible ASCII characters, spaces and tabs only"
        ])
        #expect(throws: HeaderValueTemplate.ParseError.invalidCharacter("a\u{1}b", "\u{1}")) { try HeaderValueTemplate(parsing: "a\u{1}b") }
        #expect(throws: HeaderValueTemplate.ParseError.invalidCharacter("caf\u{E9}", "\u{E9}")) { try HeaderValueTemplate(parsing: "caf\u{E9}") }
        #expect(throws: HeaderValueTemplate.ParseError.surroundingWhitespace(" %[src]")) { try HeaderValueTemplate(parsing: " %[src]") }
        #expect(throws: HeaderValueTemplate.ParseError.surroundingWhitespace("%[src]\t")) { try HeaderValueTemplate(parsing: "%[src]\t") }
        #expect(try HeaderValueTemplate(parsing: "for=%[src];\tproto=%[scheme] x").parts.count == 5)
    }

    @Test("two listeners on one socket are refused")
    func duplicateBind() {
        let yaml = minimal + "\n  - bind: 127.0.0.1:8080\n    backend: app\n"
        #expect(errors(yaml) == [
            "test.yaml:7:5: error: listener name 'listener-8080' is used twice",
            "test.yaml:7:5: error: listener 'listener-8080' binds 127.0.0.1:8080, already bound by 'listener-8080'",
        ])
    }

    @Test("SRV discovery through an undefined resolvers section is refused")
    func undefinedResolver() {
        let yaml = """
            backends:
              app:
                srv: { name: _app.internal, resolver: dns }
            listeners:
              - bind: :80
                backend: app
            """
        #expect(errors(yaml) == ["test.yaml:2:3: error: backend 'app' discovers through resolvers section 'dns', which is not defined"])
    }

    @Test("a rule with two actions is refused")
    func ruleWithTwoActions() {
        let yaml = minimal + "\n    rules:\n      - { remove_header: X-A, set_header: { name: X-B, value: b } }\n"
        #expect(errors(yaml) == ["test.yaml:8:9: error: listeners[0].rules[0]: a rule needs exactly one action of: redirect, add_header, set_header, remove_header, deny, return, allow; found remove_header, set_header"])
    }

    @Test("an unused backend is a warning, not an error")
    func unusedBackendWarns() throws {
        let yaml = minimal.replacingOccurrences(of: "backends:\n", with: "backends:\n  spare:\n    servers: [\"127.0.0.1:9001\"]\n")
        let loaded = try load(yaml)
        #expect(loaded.warnings.map(\.description) == ["test.yaml:2:3: warning: backend 'spare' is not used by any listener"])
    }
}

@Suite("Configuration values")
struct ConfigurationValueTests {
    @Test("durations parse with units and format back to the shortest exact unit",
          arguments: [("250ms", Duration.milliseconds(250)), ("5s", .seconds(5)), ("2m", .seconds(120)), ("1h", .seconds(3600)), ("1d", .seconds(86_400)), ("10us", .microseconds(10))])
    func durations(text: String, expected: Duration) throws {
        #expect(try ConfigDuration.parse(text) == expected)
        #expect(ConfigDuration.format(expected) == text)
    }

    @Test("HAProxy's bare milliseconds are read only when the caller says so")
    func bareMilliseconds() throws {
        #expect(try ConfigDuration.parse("1500", defaultUnit: .milliseconds) == .milliseconds(1500))
        #expect(throws: ConfigDuration.ParseError.missingUnit("1500")) { try ConfigDuration.parse("1500") }
        #expect(throws: ConfigDuration.ParseError.unknownUnit("5sec")) { try ConfigDuration.parse("5sec") }
        #expect(throws: ConfigDuration.ParseError.tooLarge("99999999999999999999s")) { try ConfigDuration.parse("99999999999999999999s") }
        #expect(throws: ConfigDuration.ParseError.tooLarge("9999999999999d")) { try ConfigDuration.parse("9999999999999d") }
    }

    @Test("bind addresses: IPv4, bracketed IPv6 and a bare port")
    func bindAddresses() throws {
        #expect(try BindAddress(parsing: "127.0.0.1:8080") == BindAddress(host: "127.0.0.1", port: 8080))
        #expect(try BindAddress(parsing: "[::1]:443") == BindAddress(host: "::1", port: 443))
        #expect(try BindAddress(parsing: ":80") == BindAddress(host: "0.0.0.0", port: 80))
        #expect(throws: BindAddress.ParseError.badPort("1.2.3.4:70000")) { try BindAddress(parsing: "1.2.3.4:70000") }
        #expect(throws: BindAddress.ParseError.badHost("::1:80")) { try BindAddress(parsing: "::1:80") }
        #expect(throws: BindAddress.ParseError.badHost("[::1:80")) { try BindAddress(parsing: "[::1:80") }
        #expect(try BindAddress(parsingNameserver: "10.0.0.2") == BindAddress(host: "10.0.0.2", port: 53))
        #expect(try BindAddress(parsingNameserver: "fd00::2") == BindAddress(host: "fd00::2", port: 53))
        #expect(try BindAddress(parsingNameserver: "127.0.0.1:5353") == BindAddress(host: "127.0.0.1", port: 5353))
    }

    @Test("header value templates split literals from sample fetches and print back")
    func headerTemplates() throws {
        let template = try HeaderValueTemplate(parsing: "for=%[src];proto=%[scheme];host=%[req.hdr(Host)]")
        #expect(template.parts == [.literal("for="), .clientAddress, .literal(";proto="), .scheme, .literal(";host="), .requestHeader("Host")])
        #expect(template.description == "for=%[src];proto=%[scheme];host=%[req.hdr(Host)]")
        #expect(throws: HeaderValueTemplate.ParseError.unterminatedFetch("%[src")) { try HeaderValueTemplate(parsing: "%[src") }
        #expect(throws: HeaderValueTemplate.ParseError.unknownFetch("hdr(bad name)")) { try HeaderValueTemplate(parsing: "%[hdr(bad name)]") }
    }
}
