import Foundation
import Testing

/// The files of `deploy/`: a unit systemd accepts, with the privileges docs/operations.md promises, and
/// the EC2 box's configuration, valid once certbot has issued its certificate.
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
            .replacingOccurrences(of: "/usr/local/bin/proxyd", with: TestPaths.proxydBinary.path)
            .replacingOccurrences(of: "/etc/proxyd/proxyd.yaml", with: config.path)
        let copy = directory.appendingPathComponent("proxyd.service")
        try text.write(to: copy, atomically: true, encoding: .utf8)
        let result = try await ExternalTool.run(analyze, ["verify", copy.path])
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

    @Test("deploy/proxyd.yaml passes proxyd check once a certbot lineage is at its path")
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
        let yaml = try String(contentsOf: TestPaths.repository.appendingPathComponent("deploy/proxyd.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "/etc/letsencrypt", with: root.path)
        let config = root.appendingPathComponent("proxyd.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        let check = try await ExternalTool.run(TestPaths.proxydBinary, ["check", "--quiet", "--config", config.path])
        #expect(check.status == 0 && check.err == "\(config.path): configuration is valid\n", "\(check.err)")
    }
}
