import Testing
@testable import proxyd

/// What fuzzing the configuration loaders (Fuzz/FuzzYAMLConfig) found, one test per finding: every
/// diagnostic points inside the file, and a loaded model survives model -> YAML -> model.
@Suite("Configuration: fuzzing findings")
struct ConfigurationFuzzFindingsTests {
    /// The diagnostics of a refused YAML file.
    private func yamlErrors(_ yaml: String) -> [ConfigurationDiagnostic] {
        do {
            _ = try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml")
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test("a byte-order mark inside a haproxy.cfg word is refused at its line; one at the start of the file is skipped")
    func byteOrderMarks() throws {
        // FuzzHAProxyConfig: U+FEFF before a set-header value, then inside an ACL's host list.
        // The YAML reader drops U+FEFF, so what `proxyd convert` wrote meant something else.
        let lines = [
            "frontend web", "    bind 127.0.0.1:8080",
            "    acl admin hdr(host) a.example \u{FEFF}b.example",
            "    http-request set-header X-Real-IP \u{FEFF}%[src]",
            "    default_backend app", "backend app", "    server s1 127.0.0.1:9000",
        ]
        do {
            _ = try HAProxyConfigurationLoader.load(text: lines.joined(separator: "\n") + "\n", file: "haproxy.cfg")
            Issue.record("a file with byte-order marks inside words loaded")
        } catch {
            #expect(error.diagnostics.map(\.location.line) == [3, 4])
            #expect(error.diagnostics.allSatisfy { $0.message.contains("U+FEFF") })
        }
        let clean = lines.map { $0.replacingOccurrences(of: "\u{FEFF}", with: "") }.joined(separator: "\n") + "\n"
        let loaded = try HAProxyConfigurationLoader.load(text: "\u{FEFF}" + clean, file: "haproxy.cfg")
        #expect(loaded.configuration.listeners.count == 1)
    }

    @Test("a YAML syntax error at the end of a file without a final line break points at the end of its last line")
    func syntaxErrorAtEndOfFile() {
        // libyaml reports the end of such a file on the line after it (line 3 here).
        let errors = yamlErrors("listeners:\n  - bind: 127.0.0.1:80\nbac")
        #expect(errors.count == 1)
        #expect(errors.first?.location == SourceLocation(file: "test.yaml", line: 3, column: 4))
    }

    @Test("an address whose host has a space or a bracket is refused, since it would not read back as itself", arguments: [
        "[ a]:9000", "[[x]:80", "[a b]:80", "[x\t]:80", "a[b:80", "x]:80",
    ])
    func implausibleHosts(address: String) {
        #expect(throws: BindAddress.ParseError.badHost(address)) { try BindAddress(parsing: address) }
    }

    @Test("a nameserver whose host has a space or a bracket is refused", arguments: ["a b", "a]", "x\u{85}"])
    func implausibleNameservers(text: String) {
        #expect(throws: BindAddress.ParseError.badHost(text)) { try BindAddress(parsingNameserver: text) }
    }

    @Test("every address that parses is written as text that parses back to it", arguments: [
        "127.0.0.1:80", ":80", "[::1]:443", "[fe80::1%eth0]:8080", "host.example:1", " 10.0.0.1:53 ",
    ])
    func addressRoundTrip(text: String) throws {
        let address = try BindAddress(parsing: text)
        #expect(try BindAddress(parsing: address.description) == address)
    }

    /// A listener whose rules define anchors that each alias the previous one twice: 2^levels
    /// conditions once expanded, from a few hundred bytes.
    private func laughingConditions(levels: Int) -> String {
        var yaml = """
            backends:
              app:
                servers: ["127.0.0.1:9000"]
            listeners:
              - bind: 127.0.0.1:8080
                backend: app
                rules:
                  - remove_header: X-A
                    when: &c0 {tls: true}

            """
        for level in 1...levels {
            yaml += "      - remove_header: X-A\n        when: &c\(level) {any: [*c\(level - 1), *c\(level - 1)]}\n"
        }
        return yaml
    }

    @Test("aliases that expand to millions of values are refused at once, at the alias that crosses the limit", .timeLimit(.minutes(1)))
    func billionLaughsInConditions() throws {
        let clock = ContinuousClock()
        var errors: [ConfigurationDiagnostic] = []
        let elapsed = clock.measure { errors = yamlErrors(laughingConditions(levels: 30)) }
        #expect(elapsed < .seconds(5))
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.message.contains("aliases expand this file to more than 100000 values"))
        #expect(error.location.line == 37)  // level 14's `when:`, whose first alias passes 100,000
    }

    @Test("a mapping key that aliases a huge sequence is refused before Yams hashes it", .timeLimit(.minutes(1)))
    func billionLaughsInKeys() {
        var yaml = "a0: &k0 [x, x]\n"
        for level in 1..<40 { yaml += "a\(level): &k\(level) [*k\(level - 1), *k\(level - 1)]\n" }
        yaml += "? *k39\n: 1\n"
        let errors = yamlErrors(yaml)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("aliases expand") == true)
    }

    @Test("a few aliases, as an operator would use them, still load")
    func modestAliases() throws {
        let yaml = """
            backends:
              a:
                servers: ["127.0.0.1:9000"]
                health_check: &check {type: http, path: /health, interval: 2s}
              b:
                servers: ["127.0.0.1:9001"]
                health_check: *check
            listeners:
              - bind: 127.0.0.1:8080
                backend: a
                routes: [{backend: b, when: {path_prefix: /b}}]
            """
        let loaded = try YAMLConfigurationLoader.load(yaml: yaml, file: "test.yaml")
        #expect(loaded.configuration.backends.map(\.healthCheck) == [loaded.configuration.backends[0].healthCheck, loaded.configuration.backends[0].healthCheck])
        #expect(loaded.configuration.backends[1].healthCheck != nil)
    }

    @Test("nesting deeper than 128 levels is refused instead of recursing through the composer")
    func deepNesting() {
        let errors = yamlErrors("listeners: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200))
        #expect(errors.count == 1)
        #expect(errors.first?.message == "YAML nested deeper than 128 levels")
        // The top-level mapping is the first level; the 128th `[` opens the 129th.
        #expect(errors.first?.location == SourceLocation(file: "test.yaml", line: 1, column: 12 + 127))
        // Beyond 1,000 levels libyaml refuses on its own.
        #expect(yamlErrors("listeners: " + String(repeating: "[", count: 5_000)).count == 1)
    }

    @Test("a file that is one empty document is refused at the end of its last line, not past it")
    func emptyDocument() {
        // `---` and nothing after: libyaml marks the empty value on line 3 of a 2-line file.
        let errors = yamlErrors("#\n---")
        #expect(errors.map(\.description) == ["test.yaml:2:4: error: the file must be a mapping of keys to values (listeners:, backends:, ...), found the value ''"])
    }
}
