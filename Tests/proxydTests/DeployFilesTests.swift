import Foundation
import Testing

/// The files of `deploy/`: a unit systemd accepts, with the privileges docs/operations.md promises, and
/// the EC2 box's configuration: valid as the Debian package ships it (no certificate yet), and
/// with its HTTPS listener uncommented once certbot has issued the certificate.
@Suite("deploy/ files")
struct DeployFilesTests {
    static var unit: URL { TestPaths.repository.appendingPathComponent("deploy/proxyd.service") }

    @Test("systemd-analyze verify accepts deploy/proxyd.service (pointed at the built binary)")
    func verifies() async throws {
        let analyze = try ExternalTool.locate("systemd-analyze", package: "systemd")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("proxyd.yaml")
        try "listeners: []\n".write(to: config, atomically: true, encoding: .utf8)
        // verify checks that ExecStart's binary exists: use the one this test run built.
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/proxyd", with: TestPaths.proxydBinary.path)
            .replacingOccurrences(of: "/etc/proxyd/proxyd.yaml", with: config.path)
        let copy = directory.appendingPathComponent("proxyd.service")
        try text.write(to: copy, atomically: true, encoding: .utf8)
        // --man=no: the unit's Documentation=man:proxyd(8) is installed by the Debian package
        // (scripts/test-package checks it is there), not on the machine running the tests.
        let result = try await ExternalTool.run(analyze, ["verify", "--man=no", copy.path])
        #expect(result.status == 0, "\(result.out)\(result.err)")
        #expect(result.err.isEmpty, "\(result.err)")
    }

    @Test("the unit runs as proxyd with CAP_NET_BIND_SERVICE only, reloads with SIGHUP and restarts on failure")
    func privileges() throws {
        let lines = Set(try String(contentsOf: Self.unit, encoding: .utf8).split(separator: "\n").map(String.init))
        for expected in [
            "User=proxyd", "AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
            "NoNewPrivileges=yes", "ProtectSystem=strict", "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure",
        ] {
            #expect(lines.contains(expected), "missing \(expected)")
        }
    }

    static var configuration: URL { TestPaths.repository.appendingPathComponent("deploy/proxyd.yaml") }

    @Test("deploy/proxyd.yaml as shipped passes proxyd check without any certificate, warning only that the SRV backend waits for the https listener")
    func shippedConfigurationChecks() async throws {
        let check = try await ExternalTool.run(TestPaths.proxydBinary, ["check", "--quiet", "--config", Self.configuration.path])
        #expect(check.status == 0)
        #expect(check.err == """
            \(Self.configuration.path):26:3: warning: backend 'hello' is not used by any listener
            \(Self.configuration.path): configuration is valid

            """)
    }

    @Test("deploy/proxyd.yaml with its https listener uncommented passes proxyd check once a certbot lineage is at its path")
    func configurationChecks() async throws {
        let openssl = try ExternalTool.locate("openssl", package: "openssl")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-deploy-\(UUID().uuidString)")
        let live = root.appendingPathComponent("live/example.com")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let made = try await ExternalTool.run(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=example.com",
            "-keyout", live.appendingPathComponent("privkey.pem").path, "-out", live.appendingPathComponent("fullchain.pem").path,
        ])
        #expect(made.status == 0, "\(made.err)")
        let shipped = try String(contentsOf: Self.configuration, encoding: .utf8)
        let enabled = Self.uncommentingHTTPSListener(shipped).replacingOccurrences(of: "/etc/letsencrypt", with: root.path)
        #expect(enabled.contains("\n  - name: https\n    bind: 0.0.0.0:443\n"), "the https listener block was not found")
        let config = root.appendingPathComponent("proxyd.yaml")
        try enabled.write(to: config, atomically: true, encoding: .utf8)
        let check = try await ExternalTool.run(TestPaths.proxydBinary, ["check", "--quiet", "--config", config.path])
        #expect(check.status == 0 && check.err == "\(config.path): configuration is valid\n", "\(check.err)")
    }

    /// What an operator does in step 3 of the file's header: removes `# ` from the lines of the
    /// commented `https` listener (from `  # - name: https` to its `  #   backend:` line).
    static func uncommentingHTTPSListener(_ text: String) -> String {
        var inside = false
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line == "  # - name: https" { inside = true }
            guard inside, line.hasPrefix("  # ") else { return String(line) }
            if line.hasPrefix("  #   backend:") { inside = false }
            return "  " + line.dropFirst(4)
        }.joined(separator: "\n")
    }
}
