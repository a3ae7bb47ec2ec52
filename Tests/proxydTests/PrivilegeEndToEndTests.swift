import Foundation
import Testing

/// Ports below 1024 without running as root: bound as root then dropped with `user:`, or bound
/// by an unprivileged process holding `CAP_NET_BIND_SERVICE` (what the systemd unit in
/// `deploy/` does). Needs root to set the scene (`setpriv`), so it is skipped otherwise.
@Suite("proxyd privileges", .serialized, .enabled(if: geteuid() == 0, "needs root to switch users"))
struct PrivilegeEndToEndTests {
    static func configuration(task: String, bind: String, extra: String = "") -> String {
        """
        backends:
          hello:
            servers: ["\(task)"]
        listeners:
          - name: web
            bind: \(bind)
            backend: hello
        \(extra)
        """
    }

    /// The `Uid:`/`Gid:`/`CapEff:`/`CapAmb:` lines of /proc/PID/status, tabs as spaces.
    static func status(of pid: Int32) throws -> [String: String] {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            fields[String(parts[0])] = parts[1].split(whereSeparator: { $0 == "\t" || $0 == " " }).joined(separator: " ")
        }
        return fields
    }

    @discardableResult
    static func write(_ yaml: String, in fixture: ProxyFixture) throws -> String {
        let path = fixture.directory.appendingPathComponent("proxyd.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("started as root with user: nobody, proxyd binds a port below 1024, then runs as nobody:nogroup and serves")
    func rootDropsToUser() async throws {
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let task = try await fixture.startTask(name: "task-1")
        let port = try FreeTCPPort.findPrivileged()
        let config = try Self.write(Self.configuration(task: task, bind: "127.0.0.1:\(port)", extra: "user: nobody\ngroup: nogroup"), in: fixture)
        let proxy = try PeerProcess(TestPaths.proxydBinary, ["run", "--config", config, "--threads", "2"], readStandardError: true)
        defer { proxy.stop() }
        let line = try await proxy.waitForLine(containing: "running as user")
        #expect(line.contains("running as user nobody") && line.contains("uid=65534") && line.contains("gid=65534"), "\(line)")
        let status = try Self.status(of: proxy.pid)
        #expect(status["Uid"] == "65534 65534 65534 65534")
        #expect(status["Gid"] == "65534 65534 65534 65534")
        #expect(status["Groups"] == "65534" || status["Groups"] == "", "supplementary groups: \(status["Groups"] ?? "?")")
        #expect(status["CapEff"] == "0000000000000000")
        #expect(try await Curl.run(["http://127.0.0.1:\(port)/"]).out.hasPrefix("hello from task-1"))

        // A reload cannot open another port below 1024 any more: refused, with the reason.
        let second = try FreeTCPPort.findPrivileged()
        try Self.write(Self.configuration(task: task, bind: "127.0.0.1:\(port)", extra: """
              - name: more
                bind: 127.0.0.1:\(second)
                backend: hello
            user: nobody
            group: nogroup
            """), in: fixture)
        kill(proxy.pid, SIGHUP)
        let refused = try await proxy.waitForLine(containing: "] reload ")
        #expect(refused.contains("reload refused") && refused.contains("cannot bind 127.0.0.1:\(second): Permission denied"), "\(refused)")
        #expect(refused.contains("CAP_NET_BIND_SERVICE"), "\(refused)")
        #expect(try await Curl.run(["http://127.0.0.1:\(port)/"]).out.hasPrefix("hello from task-1"))
    }

    @Test("an unprivileged proxyd with CAP_NET_BIND_SERVICE binds a port below 1024 and serves")
    func capabilityBinds() async throws {
        let setpriv = try ExternalTool.locate("setpriv", package: "util-linux")
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let task = try await fixture.startTask(name: "task-1")
        let port = try FreeTCPPort.findPrivileged()
        let config = try Self.write(Self.configuration(task: task, bind: "127.0.0.1:\(port)"), in: fixture)
        let proxy = try PeerProcess(setpriv, [
            "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service",
            TestPaths.proxydBinary.path, "run", "--config", config, "--threads", "2",
        ], readStandardError: true)
        defer { proxy.stop() }
        let line = try await proxy.waitForLine(containing: "listening")
        #expect(line.contains("127.0.0.1:\(port)"), "\(line)")
        let status = try Self.status(of: proxy.pid)
        #expect(status["Uid"] == "65534 65534 65534 65534")
        #expect(status["CapAmb"] == "0000000000000400", "only CAP_NET_BIND_SERVICE (bit 10)")
        #expect(try await Curl.run(["http://127.0.0.1:\(port)/"]).out.hasPrefix("hello from task-1"))
    }

    @Test("without the capability it exits 1 naming the port, the errno and the capability")
    func noCapabilityFailsClearly() async throws {
        let setpriv = try ExternalTool.locate("setpriv", package: "util-linux")
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let port = try FreeTCPPort.findPrivileged()
        let config = try Self.write(Self.configuration(task: "127.0.0.1:9", bind: "127.0.0.1:\(port)"), in: fixture)
        let result = try await ExternalTool.run(setpriv, [
            "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            TestPaths.proxydBinary.path, "run", "--config", config,
        ])
        #expect(result.status == 1)
        #expect(result.err.contains("cannot start: \(config):5:5: error: listener 'web' cannot bind 127.0.0.1:\(port): Permission denied"), "\(result.err)")
        #expect(result.err.contains("CAP_NET_BIND_SERVICE"), "\(result.err)")
    }

    @Test("a user: that does not exist, or one a non-root proxyd cannot switch to, stops the start with a clear error")
    func badUser() async throws {
        let setpriv = try ExternalTool.locate("setpriv", package: "util-linux")
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        var config = try Self.write(Self.configuration(task: "127.0.0.1:9", bind: "127.0.0.1:0", extra: "user: no-such-user-proxyd"), in: fixture)
        let missing = try await ExternalTool.run(TestPaths.proxydBinary, ["run", "--config", config])
        #expect(missing.status == 1)
        #expect(missing.err.contains("cannot start: user: 'no-such-user-proxyd' does not exist"), "\(missing.err)")

        config = try Self.write(Self.configuration(task: "127.0.0.1:9", bind: "127.0.0.1:0", extra: "user: daemon"), in: fixture)
        let notRoot = try await ExternalTool.run(setpriv, ["--reuid=nobody", "--regid=nogroup", "--clear-groups", TestPaths.proxydBinary.path, "run", "--config", config])
        #expect(notRoot.status == 1)
        #expect(notRoot.err.contains("user: 'daemon' needs proxyd to start as root"), "\(notRoot.err)")
    }
}
