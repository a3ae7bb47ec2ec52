import Foundation
import PeerHarness
import Testing

/// HAProxy's runtime API on proxyd's `stats socket`, end to end: proxyd following a real BIND
/// `named`'s SRV records, driven over the Unix socket as operators' scripts drive HAProxy's,
/// and compared with a real HAProxy 2.6 (`/usr/sbin/haproxy`) run by the test.
@Suite("runtime API end to end", .serialized)
struct RuntimeAPIEndToEndTests {
    /// Sends one line to a runtime API socket and reads the answer to the end (the socket
    /// closes after a non-interactive line). Retries the connect while the socket appears.
    static func send(_ line: String, to path: String) async throws -> String {
        try await runBlocking {
            let deadline = Date().addingTimeInterval(10)
            while true {
                let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                guard descriptor >= 0 else { throw ClientError(message: "socket() failed") }
                defer { close(descriptor) }
                var address = sockaddr_un()
                address.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                    for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
                }
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
                if connected != 0 {
                    guard Date() < deadline else { throw ClientError(message: "cannot connect to \(path): errno \(errno)") }
                    Thread.sleep(forTimeInterval: 0.1)
                    continue
                }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let request = Array((line + "\n").utf8)
                guard write(descriptor, request, request.count) == request.count else { throw ClientError(message: "write failed") }
                var answer: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count < 0 { throw ClientError(message: "read failed or timed out: errno \(errno)") }
                    if count == 0 { break }
                    answer += buffer[..<count]
                }
                return String(decoding: answer, as: UTF8.self)
            }
        }
    }

    struct ClientError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// `show stat`'s header line from a real HAProxy 2.6 with a stats socket.
    static func haproxyStatHeader(in directory: URL) async throws -> String {
        let haproxy = try ExternalTool.locate("haproxy", package: "haproxy")
        let socketPath = directory.appendingPathComponent("haproxy.sock").path
        let configuration = directory.appendingPathComponent("haproxy.cfg")
        try """
            global
                stats socket \(socketPath) mode 600 level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 1s
                timeout server 1s
            backend www-backend
                server srv1 127.0.0.1:9

            """.write(to: configuration, atomically: true, encoding: .utf8)
        let process = try PeerProcess(haproxy, ["-f", configuration.path, "-db"], readStandardError: true)
        defer { process.stop() }
        process.captureOutput()
        let answer: String
        do {
            answer = try await send("show stat", to: socketPath)
        } catch {
            throw ClientError(message: "\(error); haproxy said: \(process.capturedOutput) for: \((try? String(contentsOf: configuration, encoding: .utf8)) ?? "")")
        }
        return String(answer.prefix { $0 != "\n" })
    }

    /// named with three tasks, proxyd following them with a stats socket at `level`.
    static func start(level: String, directory: URL, named: NamedServer, fixture: ProxyFixture, tasks: Int) async throws -> String {
        for index in 1...tasks {
            let address = try await fixture.startTask(name: "task-\(index)")
            let port = Int(address.split(separator: ":").last ?? "") ?? 0
            try await named.register([CloudMapTask(taskID: "task-\(index)", address: "127.0.0.1", port: port, ttl: 1)])
        }
        let socketPath = directory.appendingPathComponent("admin.sock").path
        try await fixture.startProxy(yaml: """
            resolvers:
              awsvpc:
                nameservers: ["127.0.0.1:\(named.port)"]
                timeout: 300ms
                attempts: 2
                min_ttl: 1s
                max_ttl: 2s
            backends:
              www-backend:
                srv: { name: _hello-world-service.internal, resolver: awsvpc, server_prefix: srv }
            listeners:
              - name: www-http
                bind: LISTEN
                backend: www-backend
            timeouts: { connect: 1s, server: 5s }
            stats_socket: { path: \(socketPath), mode: "0600", level: \(level), timeout: 30s }
            """)
        return socketPath
    }

    /// Which tasks answered `count` requests.
    static func servingTasks(_ fixture: ProxyFixture, requests count: Int) async throws -> [String: Int] {
        let result = try await Curl.run(Array(repeating: "http://\(fixture.address)/", count: count))
        var counts: [String: Int] = [:]
        for line in result.out.split(separator: "\n") where line.hasPrefix("hello from ") {
            counts[String(line.dropFirst("hello from ".count)), default: 0] += 1
        }
        return counts
    }

    static func waitUntil(_ fixture: ProxyFixture, serving expected: Int) async throws -> [String: Int] {
        let deadline = ContinuousClock.now + .seconds(20)
        var counts: [String: Int] = [:]
        while ContinuousClock.now < deadline {
            counts = try await servingTasks(fixture, requests: expected * 6)
            if counts.count == expected { return counts }
            try await Task.sleep(for: .milliseconds(300))
        }
        return counts
    }

    @Test("show stat's header is HAProxy 2.6's byte for byte; set server drain/ready and weight act on discovered endpoints named srv1..srvN")
    func runtimeAPIOverDiscovery() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let socketPath = try await Self.start(level: "admin", directory: fixture.directory, named: named, fixture: fixture, tasks: 3)
        #expect(try await Self.waitUntil(fixture, serving: 3).count == 3)

        // The header line, against a real HAProxy 2.6's.
        let reference = try await Self.haproxyStatHeader(in: fixture.directory)
        #expect(reference.hasPrefix("# pxname,svname,qcur,"))
        let stat = try await Self.send("show stat", to: socketPath)
        let rows = stat.split(separator: "\n").map(String.init)
        #expect(rows.first == reference)
        let columns = reference.split(separator: ",", omittingEmptySubsequences: false).count
        for row in rows { #expect(row.split(separator: ",", omittingEmptySubsequences: false).count == columns, "\(row)") }
        #expect(rows.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") } == [
            "www-http,FRONTEND", "www-backend,srv1", "www-backend,srv2", "www-backend,srv3", "www-backend,BACKEND",
        ])
        #expect(stat.hasSuffix(",\n\n"))

        // show servers state names the backend and maps srv1 to a task's port.
        let state = try await Self.send("show servers state www-backend", to: socketPath)
        let lines = state.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["1"])
        let servers = lines.filter { $0.count == 25 && $0[1] == "www-backend" }
        #expect(servers.map { $0[3] }.sorted() == ["srv1", "srv2", "srv3"])
        let srv1 = try #require(servers.first { $0[3] == "srv1" })
        let srv1Task = "task-\((fixture.taskAddresses.firstIndex { $0.hasSuffix(":" + srv1[18]) } ?? -1) + 1)"
        #expect(srv1[19] == "_hello-world-service.internal")

        // Drain srv1: requests stop reaching its task; ready brings it back.
        #expect(try await Self.send("set server www-backend/srv1 state drain", to: socketPath) == "\n")
        try await Task.sleep(for: .milliseconds(200))
        let drained = try await Self.servingTasks(fixture, requests: 30)
        #expect(drained[srv1Task] == nil && drained.count == 2, "\(drained), srv1 is \(srv1Task)")
        #expect(try await Self.send("show stat -1 4 -1", to: socketPath).contains("www-backend,srv1,") )
        #expect(try await Self.send("show stat", to: socketPath).split(separator: "\n").contains { $0.hasPrefix("www-backend,srv1,") && $0.contains(",DRAIN,") })
        #expect(try await Self.send("set server www-backend/srv1 state ready", to: socketPath) == "\n")
        let back = try await Self.waitUntil(fixture, serving: 3)
        #expect(back[srv1Task] != nil, "\(back)")

        // Weight: visible in show stat's weight column.
        #expect(try await Self.send("set server www-backend/srv2 weight 7", to: socketPath) == "\n")
        let weightColumn = try #require(reference.dropFirst(2).split(separator: ",").firstIndex(of: "weight"))
        let srv2Row = try #require(try await Self.send("show stat", to: socketPath).split(separator: "\n").first { $0.hasPrefix("www-backend,srv2,") })
        #expect(srv2Row.split(separator: ",", omittingEmptySubsequences: false)[weightColumn] == "7")

        // help, and several commands on one line.
        let help = try await Self.send("help", to: socketPath)
        #expect(help.hasPrefix("The following commands are valid at this level:\n"))
        #expect(help.contains("  set server <bk>/<srv> [opts]            : change a server's state or weight\n"))
        #expect(try await Self.send("show backend;show cli level", to: socketPath) == "# name\nwww-backend\n\nadmin\n\n")
        #expect(try await Self.send("show resolvers awsvpc", to: socketPath).hasPrefix("Resolvers section awsvpc\n nameserver 127.0.0.1:\(named.port):\n  sent:"))
        #expect(try await Self.send("show info", to: socketPath).contains("\nCumReq: "))

        // The file has the mode asked for, and is gone after proxyd exits.
        let attributes = try FileManager.default.attributesOfItem(atPath: socketPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        fixture.proxy?.stop()
        let gone = ContinuousClock.now + .seconds(10)
        while FileManager.default.fileExists(atPath: socketPath) && ContinuousClock.now < gone {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!FileManager.default.fileExists(atPath: socketPath))
    }

    @Test("a user-level socket answers show commands and refuses set server with 'Permission denied'")
    func userLevelRefusesChanges() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        // A stale socket file (a crash left it) is replaced.
        let stale = fixture.directory.appendingPathComponent("admin.sock").path
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in stale.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(descriptor)
        try #require(bound == 0 && FileManager.default.fileExists(atPath: stale))

        let socketPath = try await Self.start(level: "user", directory: fixture.directory, named: named, fixture: fixture, tasks: 2)
        #expect(try await Self.waitUntil(fixture, serving: 2).count == 2)
        #expect(try await Self.send("set server www-backend/srv1 state drain", to: socketPath) == "Permission denied\n\n")
        #expect(try await Self.send("disable server www-backend/srv1", to: socketPath) == "Permission denied\n\n")
        #expect(try await Self.send("show servers state www-backend", to: socketPath).contains(" www-backend 1 srv1 127.0.0.1 2 0 "))
        #expect(try await Self.servingTasks(fixture, requests: 12).count == 2)
    }
}
