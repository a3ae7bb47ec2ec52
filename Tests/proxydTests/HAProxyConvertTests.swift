import Foundation
import Testing
import TLSTerm
@testable import proxyd

/// `proxyd convert`: the YAML it prints, read back by the YAML reader, is the same model the
/// haproxy.cfg translated to; and the built binary's `check` and `convert` as an operator runs them.
@Suite("haproxy.cfg: convert")
struct HAProxyConvertTests {
    /// The model with every source location cleared: a converted file has other lines.
    private func withoutLocations(_ configuration: ProxyConfiguration) -> ProxyConfiguration {
        let nowhere = SourceLocation(file: "", line: 0, column: nil)
        var c = configuration
        for i in c.listeners.indices {
            c.listeners[i].location = nowhere
            for j in c.listeners[i].rules.indices { c.listeners[i].rules[j].location = nowhere }
            for j in c.listeners[i].routes.indices { c.listeners[i].routes[j].location = nowhere }
            for j in c.listeners[i].responseRules.indices { c.listeners[i].responseRules[j].location = nowhere }
        }
        for i in c.backends.indices {
            c.backends[i].location = nowhere
            for j in c.backends[i].requestRules.indices { c.backends[i].requestRules[j].location = nowhere }
            for j in c.backends[i].responseRules.indices { c.backends[i].responseRules[j].location = nowhere }
            if case .servers(var servers) = c.backends[i].membership {
                for j in servers.indices { servers[j].location = nowhere }
                c.backends[i].membership = .servers(servers)
            }
        }
        for i in c.resolvers.indices { c.resolvers[i].location = nowhere }
        return c
    }

    private func roundTrip(_ original: ProxyConfiguration) throws -> ProxyConfiguration {
        let yaml = try ConfigurationYAMLWriter.yaml(for: original)
        return try YAMLConfigurationLoader.load(yaml: yaml, file: "converted.yaml").configuration
    }

    @Test("every hash key (source, uri, uri whole, hdr) and random's two draws survive conversion")
    func hashKeysRoundTrip() throws {
        var lines: [String] = []
        for (index, balance) in ["source", "uri", "uri whole", "hdr(X-User)", "random", "random(1)"].enumerated() {
            lines += ["backend b\(index)", "    balance \(balance)", "    server s 127.0.0.1:\(9001 + index)"]
        }
        let text = (["frontend web", "    bind 127.0.0.1:8080", "    default_backend b0"] + lines).joined(separator: "\n") + "\n"
        let original = try HAProxyTestFiles.load(text).configuration
        #expect(original.backends.map(\.balance.hashKey.configurationName) == ["source", "uri", "uri:whole", "header:X-User", "source", "source"])
        #expect(withoutLocations(try roundTrip(original)) == withoutLocations(original))
    }

    @Test("the seed's converted YAML reads back as the same model")
    func seedRoundTrip() throws {
        let original = try ConfigurationFile.load(path: HAProxyTestFiles.seedPath).configuration
        #expect(withoutLocations(try roundTrip(original)) == withoutLocations(original))
    }

    @Test("conditions with ||, !, unless and anonymous ACLs survive conversion")
    func conditionsRoundTrip() throws {
        let text = """
            frontend web
                bind 127.0.0.1:8080
                bind 127.0.0.1:8443 ssl crt /certs/ alpn http/1.1
                acl is_api path_beg /api/ /v2/
                acl is_admin hdr(host) admin.example.com
                acl is_admin hdr(host) ops.example.com
                redirect scheme https code 308 unless { ssl_fc } || is_admin
                http-request set-header X-Real-IP %[src] if is_api !is_admin or { hdr(host) x.example.com }
                http-request del-header X-Debug unless is_admin { ssl_fc }
                use_backend api if is_api !{ ssl_fc } || !is_admin is_api
                use_backend api unless !is_api
                default_backend web
            backend api
                balance hdr(X-User)
                option httpchk HEAD /ping
                http-check expect rstatus ^[23]
                server a1 127.0.0.1:9001 check inter 500 weight 3
                server a2 127.0.0.1:9002 check inter 500 backup
            backend web
                balance uri
                server w1 127.0.0.1:9003
            """
        let original = try HAProxyTestFiles.load(text).configuration
        #expect(original.listeners[0].rules.map(\.condition) == [
            .any([.all([.pathPrefix(["/api/", "/v2/"]), .not(.host(["admin.example.com", "ops.example.com"]))]), .host(["x.example.com"])]),
            .not(.all([.host(["admin.example.com", "ops.example.com"]), .tls])),
            .not(.any([.tls, .host(["admin.example.com", "ops.example.com"])])),
        ])
        #expect(original.listeners[0].routes.map(\.condition) == [
            .any([.all([.pathPrefix(["/api/", "/v2/"]), .not(.tls)]), .all([.not(.host(["admin.example.com", "ops.example.com"])), .pathPrefix(["/api/", "/v2/"])])]),
            .not(.not(.pathPrefix(["/api/", "/v2/"]))),
        ])
        #expect(withoutLocations(try roundTrip(original)) == withoutLocations(original))
    }

    @Test("backend rules, deny, return, allow and http-response rules survive conversion")
    func ruleActionsRoundTrip() throws {
        let text = #"""
            frontend web
                bind 127.0.0.1:8080
                http-request allow if { ssl_fc }
                http-request deny if { path_beg /admin }
                http-request deny deny_status 429 if { path_beg /slow }
                http-request deny status 451 content-type text/plain string "not here"
                http-request return status 200 content-type "text/plain; charset=utf-8" string "pong: \"ok\"" hdr X-Check %[src] hdr Cache-Control no-store if { path_beg /ping }
                http-request return status 404 if { path_beg /gone }
                http-response set-header Strict-Transport-Security "max-age=63072000" if { ssl_fc }
                http-response add-header X-Via proxyd
                http-response del-header X-Powered-By
                default_backend app
            backend app
                redirect scheme https code 301 if !{ ssl_fc }
                http-request set-header X-Backend app
                http-response del-header Server
                server a1 127.0.0.1:9001
            listen site
                bind 127.0.0.1:8081
                http-request return status 503 default-errorfiles if { path_beg /down }
                http-response set-header X-Site site
                server s1 127.0.0.1:9002
            """#
        let original = try HAProxyTestFiles.load(text).configuration
        #expect(original.listeners[0].rules.count == 6)
        #expect(original.listeners[0].responseRules.count == 3)
        #expect(original.backend(named: "app")?.requestRules.count == 2)
        #expect(original.backend(named: "app")?.responseRules.count == 1)
        #expect(original.backend(named: "site")?.requestRules.map(\.action) == [.deny(status: 503)])
        #expect(withoutLocations(try roundTrip(original)) == withoutLocations(original))
    }

    @Test("random conditions over ACLs, !, ||, unless and anonymous ACLs survive conversion")
    func randomConditionsRoundTrip() throws {
        var generator = SplitMix64(state: 0xC0FFEE)
        let terms = ["is_api", "is_host", "{ ssl_fc }", "{ path_beg /x /y }", "{ hdr(host) a.example.com }", "is_api_or_static"]
        var lines: [String] = []
        for _ in 0..<500 {
            var words: [String] = []
            for index in 0..<Int.random(in: 1...6, using: &generator) {
                if index > 0 && Bool.random(using: &generator) { words.append(["||", "or"].randomElement(using: &generator) ?? "||") }
                words.append((Bool.random(using: &generator) ? "!" : "") + (terms.randomElement(using: &generator) ?? "is_api"))
            }
            lines.append("use_backend app \(Bool.random(using: &generator) ? "if" : "unless") \(words.joined(separator: " "))")
        }
        let text = HAProxyTestFiles.file(front: [
            "acl is_api path_beg /api/", "acl is_host hdr(host) -i B.example.com", "acl is_api_or_static path_beg /api/", "acl is_api_or_static ssl_fc",
        ] + lines)
        let original = try HAProxyTestFiles.load(text).configuration
        #expect(original.listeners[0].routes.count == 500)
        let reread = try roundTrip(original)
        for (index, route) in original.listeners[0].routes.enumerated() {
            #expect(reread.listeners[0].routes[index].condition == route.condition, "\(lines[index])")
        }
    }

    @Test("error pages survive conversion: pages every section shares go to the top level, the rest stay per section")
    func errorPagesRoundTrip() throws {
        let debian = ErrorPageFiles.debian
        let text = """
            defaults
                mode http
                errorfile 503 \(debian)/503.http
                errorfile 400 \(debian)/400.http
            frontend web
                bind 127.0.0.1:8080
                errorfiles site 403
                errorloc303 404 https://www.example.com/missing
                default_backend app
            backend app
                errorfile 400 \(debian)/500.http
                server a1 127.0.0.1:9000
            http-errors site
                errorfile 403 \(debian)/403.http
                errorfile 408 \(debian)/408.http
            """
        let original = try HAProxyTestFiles.load(text).configuration
        #expect(withoutLocations(try roundTrip(original)) == withoutLocations(original))
        let yaml = try ConfigurationYAMLWriter.yaml(for: original)
        #expect(yaml.hasSuffix("error_pages:\n  503: \(debian)/503.http\n"))
        #expect(yaml.contains("    error_pages:\n      400: \(debian)/500.http\n"))
        #expect(yaml.contains("  error_pages:\n    400: \(debian)/400.http\n    403: \(debian)/403.http\n    404:\n      redirect: https://www.example.com/missing\n      code: 303\n"))
    }

    // MARK: The built binary

    /// Runs proxyd in a directory holding `certs/yourdomain.pem` (a generated certificate), the
    /// relative `crt` path of the seed, as HAProxy reads it from its working directory.
    private func run(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let workingDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-seed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workingDirectory.appendingPathComponent("certs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workingDirectory) }
        let pem = try SelfSignedCertificate.combinedPEM(commonName: "yourdomain.com", alternativeNames: ["DNS:yourdomain.com", "DNS:*.yourdomain.com"])
        try pem.write(to: workingDirectory.appendingPathComponent("certs/yourdomain.pem"), atomically: true, encoding: .utf8)
        return try await ExternalTool.run(TestPaths.proxydBinary, arguments, in: workingDirectory)
    }

    private func temporaryFile(_ contents: String, name: String) async throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-convert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("proxyd check --config seed-haproxy.cfg exits 0, prints the resolved YAML, and its warnings on stderr")
    func checkSeed() async throws {
        let loaded = try ConfigurationFile.load(path: HAProxyTestFiles.seedPath)
        let result = try await run(["check", "--config", HAProxyTestFiles.seedPath])
        #expect(result.status == 0)
        #expect(result.out == (try ConfigurationYAMLWriter.yaml(for: loaded.configuration)))
        #expect(result.err == loaded.warnings.map { $0.description + "\n" }.joined() + "\(HAProxyTestFiles.seedPath): configuration is valid\n")
    }

    @Test("proxyd convert prints YAML that proxyd check accepts as the same configuration")
    func convertSeed() async throws {
        let loaded = try ConfigurationFile.load(path: HAProxyTestFiles.seedPath)
        let result = try await run(["convert", HAProxyTestFiles.seedPath])
        #expect(result.status == 0)
        #expect(result.err == loaded.warnings.map { $0.description + "\n" }.joined())
        let yaml = try await temporaryFile(result.out, name: "proxyd.yaml")
        defer { try? FileManager.default.removeItem(at: yaml.deletingLastPathComponent()) }
        let reread = try ConfigurationFile.load(path: yaml.path)
        #expect(withoutLocations(reread.configuration) == withoutLocations(loaded.configuration))
        let check = try await run(["check", "--quiet", "--config", yaml.path])
        #expect(check.status == 0)
        #expect(check.err == "\(yaml.path): configuration is valid\n")
    }

    @Test("proxyd convert on a broken haproxy.cfg exits 1 with file:line errors and prints no YAML")
    func convertBroken() async throws {
        let file = try await temporaryFile("frontend web\n    bind :8080\n    mode tcp\n    default_backend app\nbackend app\n    server a 127.0.0.1:1\n", name: "haproxy.cfg")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try await run(["convert", file.path])
        #expect(result.status == 1)
        #expect(result.out.isEmpty)
        #expect(result.err == "\(file.path):3: error: mode tcp is not supported yet: proxyd proxies HTTP only\n")
    }

    @Test("a file not named *.cfg is read as haproxy.cfg when its first directive opens a section")
    func sniffedLanguage() async throws {
        let file = try await temporaryFile("# haproxy\nglobal\n    maxconn 50\nlisten app\n    bind 127.0.0.1:8080\n    server a 127.0.0.1:9000\n", name: "haproxy.conf")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        #expect(try ConfigurationFile.load(path: file.path).configuration.limits.maxConnections == 50)
        let other = try await temporaryFile("listeners: []\n", name: "proxyd.conf")
        defer { try? FileManager.default.removeItem(at: other.deletingLastPathComponent()) }
        #expect(throws: ConfigurationError.self) { try ConfigurationFile.load(path: other.path) }
    }
}

/// The reader on arbitrary input: never a crash, only a model or a ConfigurationError.
@Suite("haproxy.cfg: robustness")
struct HAProxyRobustnessTests {
    @Test("thousands of mutations of the seed load or fail with diagnostics, never crash")
    func mutatedSeed() throws {
        let seed = Array(try String(contentsOfFile: HAProxyTestFiles.seedPath, encoding: .utf8).utf8)
        let alphabet = Array(" \t\n#\\'\"{}!|$:,-_/.0123456789abcdefghijklmnopqrstuvwxyz%[]()@*".utf8)
        var generator = SplitMix64(state: 0x5EED)
        var loaded = 0, refused = 0
        for _ in 0..<1_500 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator) ?? 0
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &generator) ?? 0, at: index)
                }
            }
            do {
                _ = try HAProxyConfigurationLoader.load(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.cfg")
                loaded += 1
            } catch {
                #expect(!error.diagnostics.isEmpty)
                refused += 1
            }
        }
        #expect(loaded + refused == 1_500)
        #expect(loaded > 0 && refused > 0)
    }
}
