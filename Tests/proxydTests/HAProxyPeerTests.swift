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

    /// What a condition looks at in a request, and the meaning ``RuleCondition`` documents.
    private struct RequestFacts: CustomStringConvertible {
        var tls: Bool
        var path: String
        var host: String

        var description: String { "\(tls ? "https" : "http")://\(host)\(path)" }

        func satisfies(_ condition: RuleCondition) -> Bool {
            switch condition {
            case .always: true
            case .tls: tls
            case .pathPrefix(let prefixes): prefixes.contains { path.hasPrefix($0) }
            case .host(let hosts): hosts.contains(host.lowercased())
            case .not(let inner): !satisfies(inner)
            case .all(let parts): parts.allSatisfy(satisfies)
            case .any(let parts): parts.contains(where: satisfies)
            }
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
        let acls = ["acl is_api path_beg /api/", "acl is_host hdr(host) -i b.example.com", "acl mixed path_beg /static/", "acl mixed ssl_fc"]
        let terms = ["is_api", "is_host", "mixed", "{ ssl_fc }", "{ path_beg /x /static/ }", "{ hdr(host) a.example.com }"]
        var generator = SplitMix64(state: 0xACE)
        var conditions: [String] = []
        for _ in 0..<24 {
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

        var requests: [RequestFacts] = []
        for tls in [false, true] {
            for path in ["/api/v1", "/static/app.js", "/x", "/"] {
                for host in ["a.example.com", "b.example.com", "c.example.com"] { requests.append(RequestFacts(tls: tls, path: path, host: host)) }
            }
        }
        for request in requests {
            let url = "\(request.tls ? "https" : "http")://127.0.0.1:\(request.tls ? tlsPort : plainPort)\(request.path)"
            var body: String?
            let deadline = Date().addingTimeInterval(10)
            while body == nil && Date() < deadline && server.isRunning {
                let result = try await run(curl, ["-sS", "-k", "--max-time", "2", "-f", "-H", "Host: \(request.host)", url], in: directory, seconds: 5)
                if result.status == 0 { body = result.output } else { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(server.isRunning, "haproxy exited: \(String(decoding: log.fileHandleForReading.availableData, as: UTF8.self))")
            let flags = try #require(body, "no answer from haproxy for \(request)").split(separator: "/", omittingEmptySubsequences: false).map { $0 == "1" }
            try #require(flags.count == conditions.count)
            for index in conditions.indices {
                #expect(request.satisfies(translated[index]) == flags[index], "\(request): \(conditions[index]) → \(translated[index])")
            }
        }
    }
}
