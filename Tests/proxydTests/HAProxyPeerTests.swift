import Foundation
import Testing
@testable import proxyd

/// Real HAProxy (Debian's `haproxy`) as the reference: it accepts the seed fixture the
/// translation tests pin (`haproxy -c`), and it reads tricky words exactly as our tokenizer does.
@Suite("haproxy.cfg: checked against real HAProxy")
struct HAProxyPeerTests {
    /// A program on PATH or in /usr/sbin, or a failure naming the Debian package to install.
    private func peer(_ name: String, package: String) throws -> URL {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        for directory in directories {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        Issue.record("\(name) is not installed: install the Debian package '\(package)' (scripts/install-deps does)")
        throw CancellationError()
    }

    /// Runs a program in `directory`, stopping it by PID if it outlives `seconds`; standard
    /// output followed by standard error.
    private func run(_ program: URL, _ arguments: [String], in directory: URL, seconds: Int = 20) async throws -> (status: Int32, output: String) {
        let result = try await ExternalTool.run(program, arguments, timeout: .seconds(seconds), in: directory)
        // Killed by the deadline (none of the programs run here exits with status 9 itself).
        if result.status == SIGKILL {
            Issue.record("\(program.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(seconds)s")
        }
        return (result.status, result.out + result.err)
    }

    @Test("haproxy -c accepts the seed fixture (with a throwaway certificate at its relative crt path)")
    func haproxyAcceptsSeed() async throws {
        let haproxy = try peer("haproxy", package: "haproxy")
        let openssl = try peer("openssl", package: "openssl")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("certs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try await run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=yourdomain.com", "-keyout", "key.pem", "-out", "cert.pem",
        ], in: directory)
        try #require(certificate.status == 0, "openssl req failed: \(certificate.output)")
        let combined = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
            + String(contentsOf: directory.appendingPathComponent("key.pem"), encoding: .utf8)
        try combined.write(to: directory.appendingPathComponent("certs/yourdomain.pem"), atomically: true, encoding: .utf8)

        let check = try await run(haproxy, ["-c", "-f", HAProxyTestFiles.seedPath], in: directory)
        #expect(check.status == 0, "haproxy -c refused the fixture: \(check.output)")
        #expect(check.output.contains("Configuration file is valid"))
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    private func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Tricky words as they appear in a haproxy.cfg line. Real HAProxy answers each with the
    /// word it read (`http-request return … string WORD`), which must be the word our tokenizer
    /// reads. The last case comments out the rest of its line, so it is the catch-all rule.
    private static let trickyWords = [
        #""a b""#, #"'a\ b $TESTVAR "c"'"#, #"a\ b"#, #"x"y z"'w'"#, #""q\"q""#, ##"\#hash"##, ##""#in quotes""##,
        #""${TESTVAR}-x""#, #""$TESTVAR.y""#, #"a\x41b"#, #"re\d+"#, #""dollar \$TESTVAR""#, #"'single''s'"#, #"word#comment"#,
    ]

    @Test("real HAProxy reads every quoting and escaping form as our tokenizer does")
    func tokenizerAgreesWithHAProxy() async throws {
        let haproxy = try peer("haproxy", package: "haproxy")
        let curl = try peer("curl", package: "curl")
        let environment = ["TESTVAR": "val"]
        let port = try freePort()
        var lines = ["global", "    maxconn 100", "defaults", "    mode http", "    timeout connect 1s", "    timeout client 5s", "    timeout server 5s",
                     "frontend echo", "    bind 127.0.0.1:\(port)"]
        var expected: [String] = []
        for (index, word) in Self.trickyWords.enumerated() {
            let line = "    http-request return status 200 content-type text/plain string \(word) if { path /\(index) }"
            let words = try HAProxyConfigTokenizer.words(in: Substring(line), environment: environment)
            let stringIndex = try #require(words.firstIndex(of: "string"))
            expected.append(words[stringIndex + 1])
            lines.append(line)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("echo.cfg")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)

        let server = Process()
        server.executableURL = haproxy
        server.arguments = ["-db", "-f", file.path]
        server.environment = environment
        server.currentDirectoryURL = directory
        let log = Pipe()
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        var bodies: [String] = []
        for index in Self.trickyWords.indices {
            var body: String?
            let deadline = Date().addingTimeInterval(10)
            while body == nil && Date() < deadline && server.isRunning {
                let result = try await run(curl, ["-sS", "--max-time", "2", "-f", "http://127.0.0.1:\(port)/\(index)"], in: directory, seconds: 5)
                if result.status == 0 { body = result.output } else { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(server.isRunning, "haproxy exited: \(String(decoding: log.fileHandleForReading.availableData, as: UTF8.self))")
            bodies.append(try #require(body, "no answer from haproxy for /\(index)"))
        }
        for index in Self.trickyWords.indices {
            #expect(bodies[index] == expected[index], "\(Self.trickyWords[index])")
        }
    }

    /// One generated request: how curl sends it and the same head for proxyd's evaluator.
    private struct GeneratedRequest: CustomStringConvertible {
        var tls: Bool
        var serverName: String
        var method: String
        var target: String
        var host: String
        var client: String
        var fields: [String]

        var description: String { "\(method) \(tls ? "https" : "http")://\(host)\(target) from \(client) sni=\(tls ? serverName : "-") \(fields)" }

        /// The head curl sends (`Accept: */*` aside, which no condition reads).
        var head: String {
            "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
        }

        func curlArguments(plainPort: Int, tlsPort: Int) -> [String] {
            var arguments = ["-sS", "-k", "--max-time", "2", "-f", "--path-as-is", "-X", method, "--interface", client, "-H", "Host: \(host)"]
            for field in fields {
                // curl sends `Name;` as an empty field.
                arguments += ["-H", field.hasSuffix(":") ? String(field.dropLast()) + ";" : field]
            }
            if tls {
                arguments += ["--resolve", "\(serverName):\(tlsPort):127.0.0.1", "https://\(serverName):\(tlsPort)\(target)"]
            } else {
                arguments.append("http://127.0.0.1:\(plainPort)\(target)")
            }
            return arguments
        }
    }

    /// Writes a throwaway combined PEM (certificate + key) at `directory/certs/test.pem`.
    private func makeCertificate(in directory: URL) async throws {
        let openssl = try peer("openssl", package: "openssl")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("certs"), withIntermediateDirectories: true)
        let result = try await run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=a.example.com", "-keyout", "key.pem", "-out", "cert.pem",
        ], in: directory)
        try #require(result.status == 0, "openssl req failed: \(result.output)")
        let combined = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
            + String(contentsOf: directory.appendingPathComponent("key.pem"), encoding: .utf8)
        try combined.write(to: directory.appendingPathComponent("certs/test.pem"), atomically: true, encoding: .utf8)
    }

    @Test("real HAProxy and the translated conditions agree on random if/unless expressions for every kind of request")
    func conditionsAgreeWithHAProxy() async throws {
        let haproxy = try peer("haproxy", package: "haproxy")
        let curl = try peer("curl", package: "curl")
        let acls = [
            "acl is_api path_beg /api/", "acl is_host hdr(host) -i b.example.com", "acl mixed path_beg /static/", "acl mixed ssl_fc",
            "acl office src 127.0.0.2 127.0.0.64/26", "acl writes method POST PUT DELETE", "acl purge method -i purge",
            "acl php path_end -i .php", "acl exact path /x", "acl img path_dir img", "acl versioned path_reg ^/api/v[0-9]+/",
            "acl api_header hdr(x-api) v1 v2", "acl curl hdr_sub(user-agent) -i CURL", "acl token hdr(x-token) -m found",
            "acl api_v hdr_beg(x-api) v", "acl api_2 hdr_end(x-api) 2", "acl has_query query -m found", "acl query_a query a=1",
            "acl id urlp(id) 42 7", "acl sni_a ssl_fc_sni -i A.example.com", "acl sni_org ssl_fc_sni_end .example.org",
            "acl forwarded_dom hdr_dom(x-fwd) example", "acl short_path path_len :4", "acl api_re hdr_reg(x-api) -i ^V[0-9]$",
        ]
        let terms = [
            "is_api", "is_host", "mixed", "{ ssl_fc }", "{ path_beg /x /static/ }", "{ hdr(host) a.example.com }",
            "office", "writes", "purge", "php", "exact", "img", "versioned", "api_header", "curl", "token", "api_v", "api_2",
            "has_query", "query_a", "id", "sni_a", "sni_org", "forwarded_dom", "short_path", "api_re", "METH_GET",
            "{ src 127.0.0.3 }", "{ method GET }", "{ path_sub img }", "{ url_end =1 }", "{ urlp(id) -m len 2 }",
        ]
        var generator = SplitMix64(state: 0xACE)
        var conditions: [String] = []
        for _ in 0..<48 {
            var words: [String] = []
            for index in 0..<Int.random(in: 1...5, using: &generator) {
                if index > 0 && Int.random(in: 0..<3, using: &generator) == 0 { words.append(["||", "or"].randomElement(using: &generator) ?? "||") }
                words.append((Bool.random(using: &generator) ? "!" : "") + (terms.randomElement(using: &generator) ?? "is_api"))
            }
            conditions.append("\(Bool.random(using: &generator) ? "if" : "unless") \(words.joined(separator: " "))")
        }

        // proxyd's reading of the conditions.
        let translated = try HAProxyTestFiles.load(HAProxyTestFiles.file(front: acls + conditions.map { "use_backend app \($0)" }))
            .configuration.listeners[0].routes.map(\.condition)
        try #require(translated.count == conditions.count)

        // HAProxy's: header X-Mn is set when condition n holds; the answer lists them.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await makeCertificate(in: directory)
        let plainPort = try freePort(), tlsPort = try freePort()
        var lines = ["global", "    maxconn 100", "defaults", "    mode http", "    timeout connect 1s", "    timeout client 5s", "    timeout server 5s",
                     "frontend echo", "    bind 127.0.0.1:\(plainPort)", "    bind 127.0.0.1:\(tlsPort) ssl crt certs/test.pem"]
        lines += acls.map { "    " + $0 }
        lines += conditions.indices.map { "    http-request set-header X-M\($0) 1 \(conditions[$0])" }
        let answer = conditions.indices.map { "%[req.hdr(X-M\($0))]" }.joined(separator: "/")
        lines.append("    http-request return status 200 content-type text/plain lf-string \"\(answer)\"")
        let file = directory.appendingPathComponent("conditions.cfg")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)

        let server = Process()
        server.executableURL = haproxy
        server.arguments = ["-db", "-f", file.path]
        server.currentDirectoryURL = directory
        let log = Pipe()
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }

        var requests: [GeneratedRequest] = []
        for tls in [false, true] {
            for path in ["/api/v1", "/static/app.js", "/x", "/"] {
                for host in ["a.example.com", "b.example.com", "c.example.com"] {
                    requests.append(GeneratedRequest(tls: tls, serverName: host, method: "GET", target: path, host: host, client: "127.0.0.1", fields: ["User-Agent: curl/8.0"]))
                }
            }
        }
        let methods = ["GET", "POST", "PUT", "DELETE", "PURGE", "purge", "OPTIONS"]
        let targets = ["/api/v2/users?id=42", "/static/img/logo.PHP", "/x", "/?a=1", "/index.php?q&id=7", "/img", "/a/img/b?id=427", "/api/vx/"]
        let clients = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.70"]
        let names = ["a.example.com", "b.example.org", "c.example.com"]
        let fieldChoices = [
            "X-Api: v1", "X-Api: v3, v2", "X-Api: V7", "X-Api: x", "User-Agent: curl/8.0", "User-Agent: Mozilla/5.0",
            "X-Token:", "X-Token: abc", "X-Fwd: http://www.example.com:80/", "X-Fwd: examples.com",
        ]
        for _ in 0..<60 {
            var fields = ["User-Agent: \(Bool.random(using: &generator) ? "curl/8.0" : "Mozilla/5.0")"]
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let field = fieldChoices.randomElement(using: &generator) ?? "X-Api: v1"
                if !field.hasPrefix("User-Agent") { fields.append(field) }
            }
            let name = names.randomElement(using: &generator) ?? "a.example.com"
            requests.append(GeneratedRequest(
                tls: Bool.random(using: &generator), serverName: name,
                method: methods.randomElement(using: &generator) ?? "GET", target: targets.randomElement(using: &generator) ?? "/",
                host: name, client: clients.randomElement(using: &generator) ?? "127.0.0.1", fields: fields
            ))
        }
        for request in requests {
            var body: String?
            let deadline = Date().addingTimeInterval(10)
            var lastError = ""
            while body == nil && Date() < deadline && server.isRunning {
                let result = try await run(curl, request.curlArguments(plainPort: plainPort, tlsPort: tlsPort), in: directory, seconds: 5)
                if result.status == 0 { body = result.output } else {
                    lastError = result.output
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            try #require(server.isRunning, "haproxy exited: \(String(decoding: log.fileHandleForReading.availableData, as: UTF8.self))")
            let flags = try #require(body, "no answer from haproxy for \(request): \(lastError)").split(separator: "/", omittingEmptySubsequences: false).map { $0 == "1" }
            try #require(flags.count == conditions.count)
            let facts = try ACLTestRequests.facts(request.head, client: request.client, tls: request.tls, sni: request.tls ? request.serverName : nil)
            for index in conditions.indices {
                #expect(translated[index].matches(facts) == flags[index], "\(request): \(conditions[index]) → \(translated[index])")
            }
        }
    }
}
