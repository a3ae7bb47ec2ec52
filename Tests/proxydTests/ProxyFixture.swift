import Foundation
import PeerHarness
import Testing

/// A running `proxyd run` in front of hello-backend task processes, all on 127.0.0.1 with
/// ports chosen at run time, stopped by PID when the test ends.
final class ProxyFixture: @unchecked Sendable {
    // @unchecked: the arrays are only changed by the test that owns the fixture, on one task.
    private(set) var tasks: [PeerProcess] = []
    private(set) var taskAddresses: [String] = []
    private(set) var proxy: PeerProcess?
    /// `127.0.0.1:PORT` of the proxy's listener.
    private(set) var address = ""
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// `tasks` task processes (`task-1`…) behind a proxy running `configuration` (by default
    /// the static-servers one over those tasks).
    static func running(tasks: Int, configuration: (ProxyFixture) -> String = { $0.staticConfiguration() }) async throws -> ProxyFixture {
        let fixture = try ProxyFixture()
        do {
            for number in 1...max(1, tasks) { try await fixture.startTask(name: "task-\(number)") }
            try await fixture.startProxy(yaml: configuration(fixture))
        } catch {
            fixture.stop()
            throw error
        }
        return fixture
    }

    /// Starts a task process and returns its `127.0.0.1:PORT`.
    @discardableResult
    func startTask(name: String) async throws -> String {
        let task = try PeerProcess(TestPaths.proxydBinary, ["hello-backend", "--name", name])
        let line = try await task.waitForLine(containing: "listening on")
        let address = String(line.split(separator: " ").last ?? "")
        tasks.append(task)
        taskAddresses.append(address)
        return address
    }

    /// Starts `count` task processes (`task-1`…) and returns them as the records Cloud Map
    /// would publish for them (TTL 1 s), ready for `NamedServer.register`.
    func startCloudMapTasks(count: Int) async throws -> [CloudMapTask] {
        var tasks: [CloudMapTask] = []
        for number in 1...count {
            let address = try await startTask(name: "task-\(number)")
            let port = Int(address.split(separator: ":").last ?? "") ?? 0
            tasks.append(CloudMapTask(taskID: "task-\(number)", address: "127.0.0.1", port: port, ttl: 1))
        }
        return tasks
    }

    /// Writes `yaml` (with `LISTEN` replaced by a free-port bind) and starts `proxyd run`.
    /// `binary`: another proxyd build (the smuggling harness can judge an older one);
    /// `fileName`: `haproxy.cfg` to run a haproxy.cfg text instead.
    func startProxy(yaml: String, extraArguments: [String] = [], binary: URL = TestPaths.proxydBinary, fileName: String = "proxyd.yaml") async throws {
        let config = directory.appendingPathComponent(fileName)
        try yaml.replacingOccurrences(of: "LISTEN", with: "127.0.0.1:0").write(to: config, atomically: true, encoding: .utf8)
        let proxy = try PeerProcess(binary, ["run", "--config", config.path, "--threads", "2"] + extraArguments, readStandardError: true)
        let line = try await proxy.waitForLine(containing: "listening")
        // `address=[IPv4]127.0.0.1/127.0.0.1:PORT`
        guard let range = line.range(of: #"127\.0\.0\.1:[0-9]+"#, options: .regularExpression) else {
            throw PeerProcess.PeerError.notReady(line)
        }
        address = String(line[range])
        self.proxy = proxy
    }

    /// A static-servers configuration over every task started so far.
    func staticConfiguration(extraListenerLines: String = "") -> String {
        """
        backends:
          hello:
            servers: [\(taskAddresses.map { "\"\($0)\"" }.joined(separator: ", "))]
            outlier_detection: { consecutive_failures: 3, base_ejection: 30s }
        listeners:
          - name: web
            bind: LISTEN
            backend: hello
        \(extraListenerLines)
        timeouts: { connect: 1s, server: 5s }
        """
    }

    /// A raw TCP connection to the proxy's listener.
    func connect() throws -> TestSocket {
        let parts = address.split(separator: ":")
        return try TestSocket(host: String(parts[0]), port: Int(parts[1]) ?? 0)
    }

    func stop() {
        proxy?.stop()
        for task in tasks { task.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// curl as the tests use it: no proxy from the environment, a deadline, output captured.
enum Curl {
    static func run(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        let curl = try ExternalTool.locate("curl", package: "curl")
        return try await ExternalTool.run(curl, ["-sS", "--noproxy", "*", "-m", "10"] + arguments)
    }
}
