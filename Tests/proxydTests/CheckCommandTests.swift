import Foundation
import Testing
import TLSTerm

/// `proxyd check` as an operator runs it: the built binary, a file on disk, exit status and
/// output.
@Suite("proxyd check")
struct CheckCommandTests {
    private func run(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await ExternalTool.run(TestPaths.proxydBinary, arguments)
    }

    private func temporaryFile(_ contents: String, name: String = "proxyd.yaml") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("a valid file exits 0 and prints the resolved configuration")
    func validFile() async throws {
        // The ECS example with its certbot directory pointed at a generated certificate.
        let certificate = try temporaryFile(try SelfSignedCertificate.combinedPEM(commonName: "yourdomain.com", alternativeNames: ["DNS:yourdomain.com"]), name: "site.pem")
        let yaml = try String(contentsOf: TestPaths.repository.appendingPathComponent("examples/ecs.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "/etc/letsencrypt/live/yourdomain.com/", with: certificate.path)
        let example = try temporaryFile(yaml).path
        let result = try await run(["check", "--config", example])
        #expect(result.status == 0)
        #expect(result.out.contains("name: _hello-world-service.internal"))
        #expect(result.out.contains("request_head: 10s"))
        #expect(result.err.hasSuffix("configuration is valid\n"))
    }

    @Test("a bad file exits 1 with file:line:column: error lines")
    func badFile() async throws {
        let file = try temporaryFile("listeners:\n  - bind: 127.0.0.1:80\n    backend: nope\n")
        let result = try await run(["check", "--config", file.path])
        #expect(result.status == 1)
        #expect(result.out.isEmpty)
        #expect(result.err == "\(file.path):2:5: error: listener 'listener-80' sends requests to backend 'nope', which is not defined\n")
    }

    @Test("a TLS listener whose certificate file is missing fails check, naming the file")
    func missingCertificate() async throws {
        let file = try temporaryFile("backends:\n  app:\n    servers: [\"127.0.0.1:9\"]\nlisteners:\n  - name: https\n    bind: 127.0.0.1:8443\n    tls: { certificates: [/nonexistent/site.pem] }\n    backend: app\n")
        let result = try await run(["check", "--config", file.path])
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("\(file.path):5:5: error: listener 'https': "))
        #expect(result.err.contains("/nonexistent/site.pem"))
    }

    @Test("a missing file names the file and the reason")
    func missingFile() async throws {
        let result = try await run(["check", "--config", "/nonexistent/proxyd.yaml"])
        #expect(result.status == 1)
        #expect(result.err == "/nonexistent/proxyd.yaml:1: error: cannot read the configuration file: No such file or directory\n")
    }
}
