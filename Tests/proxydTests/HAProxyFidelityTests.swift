import Foundation
import Testing
@testable import proxyd

/// What a haproxy.cfg says is what runs: a directive is carried out, or refused at its line with
/// the reason. Only what truly changes nothing (`daemon`, comments, socket tuning) is a warning.
@Suite("haproxy.cfg: nothing silently ignored")
struct HAProxyFidelityTests {
    private func global(_ lines: String...) -> String {
        HAProxyTestFiles.file(prefix: ["global"] + lines.map { "    " + $0 })
    }

    @Test("global directives whose effect proxyd does not reproduce are errors that say why", arguments: [
        ("nbproc 2", "HAProxy 2.5 removed it"),
        ("cpu-map 1 0", "CPUAffinity="),
        ("server-state-file /var/lib/haproxy/state", "relearns endpoints from DNS"),
        ("maxconnrate 100", "rate limits are not supported"),
        ("maxsslrate 100", "rate limits are not supported"),
        ("maxsessrate 100", "rate limits are not supported"),
        ("maxsslconn 100", "no separate TLS connection limit"),
        ("h1-case-adjust content-type Content-Type", "header names as received"),
        ("tune.bufsize 32768", "proxyd sizes its buffers itself"),
        ("gid 99", "write 'group NAME'"),
    ])
    func refusedGlobals(line: String, reason: String) throws {
        let errors = HAProxyTestFiles.errors(global(line))
        let keyword = line.split(separator: " ").first.map(String.init) ?? line
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix("haproxy.cfg:2: error: ") == true, "\(errors)")
        #expect(errors.first?.contains("'\(keyword)'") == true && errors.first?.contains(reason) == true, "\(errors)")
    }

    @Test("pidfile, ulimit-n and tune.http.maxhdr reach the model, and convert carries them to YAML")
    func processSettings() throws {
        let loaded = try HAProxyTestFiles.load(global("pidfile /run/haproxy.pid", "ulimit-n 65536", "tune.http.maxhdr 64"))
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.configuration.pidFile == "/run/haproxy.pid")
        #expect(loaded.configuration.openFileLimit == 65536)
        #expect(loaded.configuration.limits.maxHeaders == 64)
        let yaml = try ConfigurationYAMLWriter.yaml(for: loaded.configuration)
        let reloaded = try YAMLConfigurationLoader.load(yaml: yaml, file: "proxyd.yaml")
        #expect(reloaded.configuration.pidFile == "/run/haproxy.pid", "\(yaml)")
        #expect(reloaded.configuration.openFileLimit == 65536, "\(yaml)")
        #expect(reloaded.configuration.limits.maxHeaders == 64, "\(yaml)")
    }

    @Test("options proxyd always carries out are accepted silently; their 'no' form is refused")
    func builtInOptions() {
        for name in ["redispatch", "http-keep-alive", "allbackups"] {
            #expect(HAProxyTestFiles.warnings(HAProxyTestFiles.file(back: ["option \(name)"])).isEmpty, "option \(name)")
            let refused = HAProxyTestFiles.errors(HAProxyTestFiles.file(back: ["no option \(name)"]))
            #expect(refused.count == 1 && refused[0].hasPrefix("haproxy.cfg:5: error: no option \(name) is not supported: "), "\(refused)")
        }
    }

    @Test("options that change what HAProxy does and proxyd cannot are refused", arguments: [
        "httpclose", "forceclose", "http-buffer-request", "http-pretend-keepalive", "accept-invalid-http-request", "tcp-check", "abortonclose",
    ])
    func refusedOptions(name: String) {
        let errors = HAProxyTestFiles.errors(HAProxyTestFiles.file(back: ["option \(name)"]))
        #expect(errors.count == 1 && errors[0].hasPrefix("haproxy.cfg:5: error: option \(name) is not supported: "), "\(errors)")
        // `no option X` asks for HAProxy's default, which is what proxyd does.
        #expect(HAProxyTestFiles.warnings(HAProxyTestFiles.file(back: ["no option \(name)"])).isEmpty)
    }

    @Test("option http-server-close closes backend connections after each response: the backend keeps no idle pool")
    func serverClose() throws {
        let backend = try #require(try HAProxyTestFiles.load(HAProxyTestFiles.file(back: ["option http-server-close"])).configuration.backends.first)
        #expect(backend.pool.maxIdlePerEndpoint == 0)
        let inherited = try HAProxyTestFiles.load(HAProxyTestFiles.file(prefix: ["defaults", "    option http-server-close"]))
        #expect(inherited.configuration.backends.first?.pool.maxIdlePerEndpoint == 0)
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(front: ["option http-server-close"])) == [
            "haproxy.cfg:3: error: option http-server-close applies to backend connections: write it in the backend (or defaults) section",
        ])
    }

    @Test("forwardfor's except, header and if-none are refused with the rule that does the same")
    func forwardForVariants() {
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(front: ["option forwardfor except 127.0.0.0/8"])).first?
            .contains("http-request del-header X-Forwarded-For if { src 127.0.0.0/8 }") == true)
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(front: ["option forwardfor header X-Client-IP"])).first?
            .contains("http-request set-header X-Client-IP %[src]") == true)
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(front: ["option forwardfor if-none"])).first?
            .hasPrefix("haproxy.cfg:3: error: option forwardfor if-none is not supported") == true)
    }

    @Test("request IDs and reuse modes proxyd does not have are refused")
    func refusedProxyDirectives() {
        for line in ["unique-id-format %{+X}o", "unique-id-header X-Request-ID", "http-reuse never"] {
            let errors = HAProxyTestFiles.errors(HAProxyTestFiles.file(front: [line]))
            let keyword = line.split(separator: " ")[0]
            #expect(errors.count == 1 && errors[0].hasPrefix("haproxy.cfg:3: error: unsupported directive '\(keyword)'"), "\(errors)")
        }
    }

    @Test("per-server maxconn (a limit and a queue proxyd does not have) is refused, in YAML too")
    func perServerLimit() throws {
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(back: ["server a1 127.0.0.1:9000 maxconn 50"])) == [
            "haproxy.cfg:5: error: server option 'maxconn' is not supported: proxyd neither limits nor queues requests per server; limit connections with the frontend's or the global maxconn",
        ])
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file(back: ["default-server maxconn 50"])).count == 1)
        let yaml = """
            backends:
              app:
                servers: ["127.0.0.1:9000"]
                max_requests_per_endpoint: 10
            listeners:
              - { name: web, bind: "127.0.0.1:8080", backend: app }
            """
        do {
            _ = try YAMLConfigurationLoader.load(yaml: yaml, file: "proxyd.yaml")
            Issue.record("max_requests_per_endpoint was accepted")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "proxyd.yaml:4:32: error: backends.app.max_requests_per_endpoint is not supported: proxyd neither limits nor queues requests per endpoint; limit connections with limits.max_connections or a listener's max_connections",
            ])
        }
    }

    @Test("bind strict-sni and a per-bind maxconn are refused with the reason")
    func refusedBindOptions() {
        #expect(HAProxyTestFiles.errors(HAProxyTestFiles.file().replacingOccurrences(of: "bind 127.0.0.1:8080", with: "bind 127.0.0.1:8080 maxconn 10")) == [
            "haproxy.cfg:2: error: bind option 'maxconn' is not supported: write maxconn in the frontend section: proxyd applies a frontend's maxconn to each of its binds",
        ])
        let strict = HAProxyTestFiles.errors(HAProxyTestFiles.file().replacingOccurrences(of: "bind 127.0.0.1:8080", with: "bind 127.0.0.1:8080 ssl crt site.pem strict-sni"))
        #expect(strict.first?.hasPrefix("haproxy.cfg:2: error: bind option 'strict-sni' is not supported") == true, "\(strict)")
    }
}

/// `pidfile` and `ulimit-n` on a running proxyd.
@Suite("proxyd process settings end to end", .serialized)
struct ProcessSettingsEndToEndTests {
    @Test("proxyd writes its PID to the pidfile at start, sets the open-file limit, and removes the file at exit")
    func pidFileAndOpenFileLimit() async throws {
        let fixture = try await ProxyFixture.running(tasks: 1)
        defer { fixture.stop() }
        let pidFile = fixture.directory.appendingPathComponent("proxyd.pid").path
        let proxy = try PeerProcess(TestPaths.proxydBinary, ["run", "--config", try {
            let path = fixture.directory.appendingPathComponent("process.yaml").path
            try fixture.staticConfiguration().replacingOccurrences(of: "LISTEN", with: "127.0.0.1:0")
                .appending("\npid_file: \(pidFile)\nopen_file_limit: 4096\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }()], readStandardError: true)
        defer { proxy.stop() }
        _ = try await proxy.waitForLine(containing: "listening")
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == "\(proxy.pid)\n")
        let limits = try String(contentsOfFile: "/proc/\(proxy.pid)/limits", encoding: .utf8)
        let openFiles = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(openFiles?.dropFirst(3).first == "4096", "\(limits)")
        kill(proxy.pid, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(20)
        while proxy.process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the pidfile outlived the process")
    }
}

/// HAProxy's predefined `TRUE` and `FALSE` survive `proxyd convert`: the YAML writes them as the
/// empty `all: []` and `any: []`, which read back as "always" and "never".
@Suite("convert: TRUE and FALSE conditions")
struct ConstantConditionTests {
    @Test("a rule under FALSE or unless TRUE converts to YAML that reads back as the same never-matching rule")
    func constantsRoundTrip() throws {
        let loaded = try HAProxyTestFiles.load(HAProxyTestFiles.file(front: [
            "http-request deny if FALSE",
            "http-request set-header X-A 1 unless TRUE",
            "http-request set-header X-B 1 if TRUE",
        ]))
        let rules = try #require(loaded.configuration.listeners.first).rules
        let yaml = try ConfigurationYAMLWriter.yaml(for: loaded.configuration)
        let reloaded = try YAMLConfigurationLoader.load(yaml: yaml, file: "proxyd.yaml")
        #expect(try #require(reloaded.configuration.listeners.first).rules.map(\.condition) == rules.map(\.condition), "\(yaml)")
        let facts = RequestFacts(target: "/", host: "a.example", isTLS: false, clientAddress: "127.0.0.1", clientPort: 1, listenerPort: 80)
        #expect(rules.map { $0.condition.matches(facts) } == [false, false, true])
    }
}
