import Foundation
import LoadBalance
import Prometheus
import Testing

@testable import proxyd

/// The runtime API's parts without a socket: the command parser, the session's rules, the
/// answers' formats, the server names, and `stats socket` in both configuration languages.
@Suite("runtime API parts")
struct RuntimeAPIUnitTests {
    static let location = SourceLocation(file: "test.yaml", line: 1, column: 1)

    static func srvGroup(prefix: String = "srv") throws -> BackendGroup {
        var srv = SRVMembership(name: "_app.internal", resolver: "dns")
        srv.serverPrefix = prefix
        return try BackendGroup(configuration: BackendConfiguration(name: "app", membership: .srv(srv), location: location))
    }

    static func endpoints(_ ports: [Int], weight: UInt16 = 10) -> [LoadBalance.Endpoint] {
        ports.map { LoadBalance.Endpoint(address: "10.0.0.1", port: $0, weight: weight, target: "task-\($0).internal") }
    }

    /// An executor over one SRV backend `app` holding `ports`, no event loops.
    static func executor(ports: [Int]) throws -> (RuntimeAPIExecutor, BackendGroup) {
        let group = try srvGroup()
        try group.setMembership(endpoints(ports))
        var configuration = ProxyConfiguration()
        configuration.listeners = [ListenerConfiguration(name: "www-http", bind: BindAddress(host: "127.0.0.1", port: 80), defaultBackend: "app", location: location)]
        configuration.backends = [group.configuration]
        let served = configuration
        let inspector = ProxyInspector(
            view: { ProxyInspector.View(backends: [group], watches: [:], tlsContexts: [], healthChecks: HealthCheckWiring(checkers: []), configuration: served) },
            loops: [], accessLog: nil, registry: PrometheusCollectorRegistry())
        let executor = RuntimeAPIExecutor(inspector: inspector) {
            RuntimeAPIProcessFacts(version: "test", pid: 42, threads: 2, startedAt: 1_000, now: 1_063, openFileLimit: 1024, node: "box")
        }
        return (executor, group)
    }

    // MARK: Parsing

    @Test("set server parses state, weight and percent, and answers HAProxy's messages for mistakes")
    func setServerParsing() {
        #expect(RuntimeAPICommand.parse(["set", "server", "www-backend/srv1", "state", "drain"]) == .setServerState(backend: "www-backend", server: "srv1", .drain))
        #expect(RuntimeAPICommand.parse(["set", "server", "b/s", "weight", "50%"]) == .setServerWeight(backend: "b", server: "s", .percent(50)))
        #expect(RuntimeAPICommand.parse(["set", "weight", "b/s", "3"]) == .setServerWeight(backend: "b", server: "s", .absolute(3)))
        #expect(RuntimeAPICommand.parse(["set", "server", "b", "state", "drain"]) == .usage("Require 'backend/server'."))
        #expect(RuntimeAPICommand.parse(["set", "server", "b/s", "state", "bogus"]) == .usage("'set server <srv> state' expects 'ready', 'drain' and 'maint'."))
        #expect(RuntimeAPICommand.parse(["set", "server", "b/s", "weight"]) == .usage("Require <weight> or <weight%>."))
        #expect(RuntimeAPICommand.parse(["set", "server", "b/s", "weight", "abc"]) == .usage("Empty weight string empty or preceded by garbage"))
        #expect(RuntimeAPICommand.parse(["disable", "server", "b/s"]) == .disableServer(backend: "b", server: "s"))
        #expect(RuntimeAPICommand.parse(["enable", "server", "b/s"]) == .enableServer(backend: "b", server: "s"))
        #expect(RuntimeAPICommand.parse(["show", "servers", "state", "www-backend"]) == .showServersState(backend: "www-backend"))
        #expect(RuntimeAPICommand.parse(["show", "stat", "-1", "4", "-1"]) == .showStat(.init(proxyID: nil, types: 4, serverID: nil)))
        #expect(RuntimeAPICommand.parse(["show", "sess"]) == .unknown(["show", "sess"]))
    }

    @Test("a line splits into commands at ';' and words at spaces, with backslash escapes")
    func lineSplitting() {
        #expect(RuntimeAPISession.commands(in: "show info;show stat") == [["show", "info"], ["show", "stat"]])
        #expect(RuntimeAPISession.commands(in: "show  backend\\;x ; help\r") == [["show", "backend;x"], ["help"]])
        #expect(RuntimeAPISession.commands(in: "") == [[]])
    }

    // MARK: Session

    @Test("non-interactive: the line's commands are answered, each ending with an empty line, then the connection closes")
    func nonInteractive() {
        var session = RuntimeAPISession(level: .admin)
        #expect(session.receive(line: "show info;show backend") == [
            .execute(.showInfo, suffix: "\n"), .execute(.showBackend, suffix: "\n"), .close,
        ])
    }

    @Test("prompt keeps the connection open and ends every answer with '> ' until quit")
    func interactive() {
        var session = RuntimeAPISession(level: .admin)
        #expect(session.receive(line: "prompt") == [.write("\n> ")])
        #expect(session.receive(line: "show backend") == [.execute(.showBackend, suffix: "\n> ")])
        #expect(session.receive(line: "show cli level") == [.write("admin\n\n> ")])
        #expect(session.receive(line: "quit") == [.close])
    }

    @Test("a user-level session is refused set server, enable and disable; lowering the level is one way")
    func levels() {
        var user = RuntimeAPISession(level: .user)
        #expect(user.receive(line: "set server app/srv1 state drain;disable server app/srv1;show stat") == [
            .write("Permission denied\n\n"), .write("Permission denied\n\n"), .execute(.showStat(.init()), suffix: "\n"), .close,
        ])
        var admin = RuntimeAPISession(level: .admin)
        _ = admin.receive(line: "operator;set server app/srv1 state drain")
        #expect(admin.level == .operator)
        var operatorSession = RuntimeAPISession(level: .operator)
        #expect(operatorSession.receive(line: "set server app/srv1 weight 5") == [.write("Permission denied\n\n"), .close])
        _ = operatorSession.receive(line: "user")
        #expect(operatorSession.level == .user)
    }

    // MARK: Names

    @Test("server names: lowest free slot on arrival, kept while announced, kept while an override names the endpoint")
    func serverNames() {
        var names = ServerNameTable(prefix: "srv")
        names.update(announced: Self.endpoints([1, 2, 3]), pinned: [])
        #expect(names.name(of: "10.0.0.1:1") == "srv1")
        #expect(names.name(of: "10.0.0.1:3") == "srv3")
        // Task 2 leaves; a new task takes the free slot 2; task 3 keeps srv3.
        names.update(announced: Self.endpoints([1, 3, 4]), pinned: [])
        #expect(names.name(of: "10.0.0.1:4") == "srv2")
        #expect(names.name(of: "10.0.0.1:3") == "srv3")
        // Task 1 is drained and leaves DNS: srv1 is not handed to the next task.
        names.update(announced: Self.endpoints([3, 4, 5]), pinned: ["10.0.0.1:1"])
        #expect(names.name(of: "10.0.0.1:5") == "srv4")
        #expect(names.id(named: "srv1") == "10.0.0.1:1")
        #expect(names.id(named: "srv01") == nil)
        #expect(names.id(named: "web1") == nil)
    }

    @Test("the JSON admin API's override accepts a server name in place of address:port")
    func overrideByName() throws {
        let group = try Self.srvGroup()
        try group.setMembership(Self.endpoints([1, 2]))
        #expect(try group.apply(.drain, to: "srv2"))
        #expect(group.membershipSnapshot().drained == ["10.0.0.1:2"])
        #expect(try group.apply(.maintenance, to: "srv9") == false)
    }

    // MARK: Answers

    @Test("show stat: HAProxy 2.6's header, the same number of fields on every row, server and backend values")
    func showStat() async throws {
        let (executor, _) = try Self.executor(ports: [1, 2])
        #expect(await executor.answer(.setServerState(backend: "app", server: "srv2", .drain)) == "")
        #expect(await executor.answer(.setServerWeight(backend: "app", server: "srv1", .percent(50))) == "")
        let text = await executor.answer(.showStat(.init()))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "# " + HAProxyStatCSV.columns.joined(separator: ",") + ",")
        #expect(HAProxyStatCSV.columns.count == 128)
        #expect(Array(HAProxyStatCSV.columns.prefix(3)) == ["pxname", "svname", "qcur"])
        for line in lines { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == 129, "\(line)") }
        func field(_ row: String, _ name: String) -> String {
            let values = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return values[HAProxyStatCSV.columns.firstIndex(of: name) ?? 0]
        }
        #expect(lines.count == 5)
        #expect(field(lines[1], "svname") == "FRONTEND" && field(lines[1], "status") == "OPEN")
        #expect(field(lines[2], "svname") == "srv1" && field(lines[2], "status") == "no check" && field(lines[2], "weight") == "5")
        #expect(field(lines[2], "addr") == "10.0.0.1:1" && field(lines[2], "type") == "2")
        #expect(field(lines[3], "svname") == "srv2" && field(lines[3], "status") == "DRAIN" && field(lines[3], "weight") == "0")
        #expect(field(lines[4], "svname") == "BACKEND" && field(lines[4], "status") == "UP" && field(lines[4], "act") == "1")
        #expect(field(lines[4], "algo") == "roundrobin")
    }

    @Test("set server answers HAProxy's errors for unknown servers and backends; get weight shows the initial weight")
    func setServerErrors() async throws {
        let (executor, _) = try Self.executor(ports: [1])
        #expect(await executor.answer(.setServerState(backend: "app", server: "srv7", .maint)) == "No such server.\n")
        #expect(await executor.answer(.setServerState(backend: "nope", server: "srv1", .maint)) == "No such backend.\n")
        #expect(await executor.answer(.setServerWeight(backend: "app", server: "srv1", .absolute(70_000))) == "Absolute weight can only be between 0 and 65535 inclusive.\n")
        #expect(await executor.answer(.setServerWeight(backend: "app", server: "srv1", .absolute(3))) == "")
        #expect(await executor.answer(.getWeight(backend: "app", server: "srv1")) == "3 (initial 10)\n")
    }

    @Test("show servers state: version 1, HAProxy's header, admin state bits for drain and maint, the SRV record")
    func serversState() async throws {
        let (executor, _) = try Self.executor(ports: [1, 2, 3])
        _ = await executor.answer(.setServerState(backend: "app", server: "srv2", .drain))
        _ = await executor.answer(.disableServer(backend: "app", server: "srv3"))
        let lines = await executor.answer(.showServersState(backend: "app")).split(separator: "\n").map(String.init)
        #expect(lines[0] == "1")
        #expect(lines[1] == HAProxyServersState.header)
        #expect(lines[2].hasPrefix("2 app 1 srv1 10.0.0.1 2 0 10 10 "))
        #expect(lines[3].hasPrefix("2 app 2 srv2 10.0.0.1 2 8 10 10 "))
        #expect(lines[4].hasPrefix("2 app 3 srv3 10.0.0.1 2 1 10 10 "))
        #expect(lines[2].hasSuffix(" task-1.internal 1 _app.internal 0 0 - - 0"))
        #expect(lines.allSatisfy { $0.hasPrefix("#") || $0 == "1" || $0.split(separator: " ").count == 25 })
        #expect(await executor.answer(.showServersState(backend: "nope")) == "Can't find backend.\n")
        // `enable server` ends maintenance.
        _ = await executor.answer(.enableServer(backend: "app", server: "srv3"))
        let stat = await executor.answer(.showStat(.init(types: 4)))
        #expect(!stat.contains("MAINT") && stat.contains("DRAIN"))
    }

    @Test("show info: HAProxy's field names with proxyd's values")
    func showInfo() async throws {
        let (executor, _) = try Self.executor(ports: [1])
        let text = await executor.answer(.showInfo)
        #expect(text.hasPrefix("Name: proxyd\nVersion: test\nNbthread: 2\nNbproc: 1\nProcess_num: 1\nPid: 42\nUptime: 0d 0h01m03s\nUptime_sec: 63\nUlimit-n: 1024\n"))
        #expect(text.contains("\nMaxconn: 10000\n") && text.contains("\nListeners: 1\n") && text.contains("\nnode: box\n"))
    }

    @Test("help lists the commands in HAProxy's layout; unknown words get HAProxy's two answers")
    func help() {
        #expect(RuntimeAPIHelp.text.hasPrefix("The following commands are valid at this level:\n  disable server <bk>/<srv>               : disable"))
        #expect(RuntimeAPIHelp.unknown(["show", "sess"]).hasPrefix("Unknown command, but maybe one of the following ones is a better match:\n  show backend "))
        #expect(RuntimeAPIHelp.unknown(["frobnicate"]).hasPrefix("Unknown command. Please enter one of the following commands only:\n"))
    }

    // MARK: Configuration

    @Test("stats socket with mode, level, user, group, and stats timeout/maxconn anywhere in global")
    func haproxyStatsSocket() throws {
        let text = HAProxyTestFiles.file(prefix: [
            "global", "    stats timeout 30s", "    stats socket unix@/run/haproxy/admin.sock mode 660 level admin user haproxy gid 112", "    stats maxconn 4",
        ])
        let loaded = try HAProxyConfigurationLoader.load(text: text, file: "haproxy.cfg")
        #expect(loaded.configuration.statsSocket == StatsSocketConfiguration(
            path: "/run/haproxy/admin.sock", mode: 0o660, level: .admin, owner: "haproxy", group: "112",
            idleTimeout: .seconds(30), maxConnections: 4))
        #expect(!loaded.warnings.contains { $0.description.contains("stats") })
    }

    @Test("stats socket on an address, with an unsupported option or a bad level is refused at its line")
    func haproxyStatsSocketRefused() {
        func error(_ line: String) -> String {
            let text = HAProxyTestFiles.file(prefix: ["global", "    " + line])
            do {
                _ = try HAProxyConfigurationLoader.load(text: text, file: "haproxy.cfg")
                return "accepted"
            } catch {
                return error.diagnostics.first?.description ?? ""
            }
        }
        #expect(error("stats socket ipv4@127.0.0.1:9999 level admin") == "haproxy.cfg:2: error: stats socket 'ipv4@127.0.0.1:9999': proxyd serves the runtime API on a Unix socket path only (ipv4@ is not supported); for TCP use the admin listener (admin: bind with a token)")
        #expect(error("stats socket 127.0.0.1:9999") == "haproxy.cfg:2: error: stats socket '127.0.0.1:9999': proxyd serves the runtime API on a Unix socket path only, not on an IP address; for TCP use the admin listener (admin: bind with a token)")
        #expect(error("stats socket /run/a.sock level root") == "haproxy.cfg:2: error: stats socket: level must be user, operator or admin, found 'root'")
        #expect(error("stats socket /run/a.sock expose-fd listeners") == "haproxy.cfg:2: error: stats socket: expose-fd is not supported: proxyd reloads in place on SIGHUP, no listener is handed to a new process")
        #expect(error("stats socket /run/a.sock mode 999") == "haproxy.cfg:2: error: stats socket: mode must be octal permission bits such as 660 or 0600, found '999'")
        #expect(error("stats socket /run/a.sock ssl") == "haproxy.cfg:2: error: stats socket: option 'ssl' is not supported; proxyd reads mode, level, user, group, uid, gid and maxconn")
    }

    @Test("YAML stats_socket reads the same settings, and proxyd convert round-trips them")
    func yamlStatsSocket() throws {
        let yaml = """
            backends:
              app:
                srv: { name: _app.internal, resolver: dns, server_prefix: web }
            resolvers:
              dns: { nameservers: ["127.0.0.1:53"] }
            listeners:
              - { name: web, bind: "127.0.0.1:8080", backend: app }
            stats_socket: { path: /run/proxyd/admin.sock, mode: "0660", level: user, user: "0", group: root, timeout: 30s, max_connections: 3 }
            """
        let configuration = try YAMLConfigurationLoader.load(yaml: yaml, file: "p.yaml").configuration
        #expect(configuration.statsSocket == StatsSocketConfiguration(
            path: "/run/proxyd/admin.sock", mode: 0o660, level: .user, owner: "0", group: "root", idleTimeout: .seconds(30), maxConnections: 3))
        guard case .srv(let srv) = configuration.backends.first?.membership else { Issue.record("not an SRV backend"); return }
        #expect(srv.serverPrefix == "web")
        let converted = try ConfigurationYAMLWriter.yaml(for: configuration)
        let reread = try YAMLConfigurationLoader.load(yaml: converted, file: "converted.yaml").configuration
        #expect(reread.statsSocket == configuration.statsSocket)
        #expect(reread.backends.first?.membership == configuration.backends.first?.membership)
        #expect(throws: ConfigurationError.self) {
            try YAMLConfigurationLoader.load(yaml: yaml.replacingOccurrences(of: "level: user", with: "level: root"), file: "p.yaml")
        }
    }

    @Test("the seed's stats socket line becomes the runtime API socket; server-template's prefix names the servers")
    func seedStatsSocket() throws {
        let configuration = try ConfigurationFile.load(path: HAProxyTestFiles.seedPath).configuration
        #expect(configuration.statsSocket?.path == "/run/haproxy/admin.sock")
        #expect(configuration.statsSocket?.mode == 0o660)
        #expect(configuration.statsSocket?.level == .admin)
        guard case .srv(let srv) = configuration.backends.first(where: { if case .srv = $0.membership { true } else { false } })?.membership else {
            Issue.record("the seed has no SRV backend")
            return
        }
        #expect(srv.serverPrefix == "web")
    }
}
