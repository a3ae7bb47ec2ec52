import Foundation
import PeerHarness
import Testing
import TLSTerm

/// The admin listener and the access log of the built `proxyd run`, against real task
/// processes (and a real BIND for the stats page), driven by curl, wrk and headless Chromium.
@Suite("proxyd admin listener, metrics and access logs", .serialized)
struct AdminEndToEndTests {
    /// A static-servers proxy with an admin listener on a free loopback port and `extra` YAML.
    static func start(tasks: Int, extra: String = "", token: String? = nil) async throws -> (ProxyFixture, admin: String) {
        let port = try await FreePort.udpAndTCP()
        let tokenLine = token.map { ", token: \"\($0)\"" } ?? ""
        let fixture = try await ProxyFixture.running(tasks: tasks) { fixture in
            fixture.staticConfiguration() + "\nadmin: { bind: 127.0.0.1:\(port)\(tokenLine) }\n" + extra
        }
        let admin = "http://127.0.0.1:\(port)"
        do {
            try await waitForAdmin(admin, token: token)
        } catch {
            fixture.stop()
            throw error
        }
        return (fixture, admin)
    }

    /// A fresh directory for an access log file; the caller removes it.
    static func makeLogDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func waitForAdmin(_ admin: String, token: String? = nil) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let auth = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
            if let result = try? await Curl.run(auth + ["-o", "/dev/null", "-w", "%{http_code}", "\(admin)/api/backends"]), result.out == "200" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw AdminNotReady(admin: admin)
    }

    struct AdminNotReady: Error, CustomStringConvertible {
        var admin: String
        var description: String { "the admin listener at \(admin) did not answer GET /api/backends with 200 within 10 s" }
    }

    static func waitForLines(in path: String, count: Int, timeout: Duration = .seconds(10)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var lines: [String] = []
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count { return lines }
            try await Task.sleep(for: .milliseconds(50))
        }
        return lines
    }

    @Test("SIGHUP reopens the access log: after logrotate moves the file, new lines go to a new file at the path")
    func accessLogReopenedOnSIGHUP() async throws {
        let directory = try Self.makeLogDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("access.log").path
        let (fixture, _) = try await Self.start(tasks: 1, extra: "access_log: { format: httplog, path: \(log) }\n")
        defer { fixture.stop() }
        _ = try await Curl.run(["http://\(fixture.address)/before-rotation"])
        _ = try await Self.waitForLines(in: log, count: 1)
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")
        let proxy = try #require(fixture.proxy)
        kill(proxy.pid, SIGHUP)
        _ = try await Curl.run(["http://\(fixture.address)/after-rotation"])
        let lines = try await Self.waitForLines(in: log, count: 1)
        #expect(lines.count == 1 && lines[0].contains("/after-rotation"), "\(lines)")
        let rotated = try String(contentsOfFile: log + ".1", encoding: .utf8)
        #expect(rotated.contains("/before-rotation") && !rotated.contains("/after-rotation"))
    }

    @Test("a proxied request is logged in HAProxy's httplog format to the configured file")
    func httplogLine() async throws {
        let directory = try Self.makeLogDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("access.log").path
        let (fixture, _) = try await Self.start(tasks: 1, extra: "access_log: { format: httplog, path: \(log) }\n")
        defer { fixture.stop() }
        let page = try await Curl.run(["http://\(fixture.address)/logged?x=1"])
        #expect(page.status == 0)
        let lines = try await Self.waitForLines(in: log, count: 1)
        let line = try #require(lines.first)
        // 127.0.0.1:PORT [05/Dec/2026:00:10:00.123] web hello/127.0.0.1:PORT 0/0/0/1/2 200 BYTES - - ---- 0/0/0/0/0 0/0 "GET /logged?x=1 HTTP/1.1"
        let pattern = #"^127\.0\.0\.1:[0-9]+ \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] web hello/"#
            + NSRegularExpression.escapedPattern(for: fixture.taskAddresses[0])
            + #" [0-9]+/0/[0-9]+/[0-9]+/[0-9]+ 200 [0-9]+ - - ---- 0/0/0/0/0 0/0 "GET /logged\?x=1 HTTP/1\.1"$"#
        #expect(line.range(of: pattern, options: .regularExpression) != nil, "\(line)")
        let bytes = Int(line.split(separator: " ")[6]) ?? 0
        #expect(bytes > page.out.utf8.count, "bytes count the head too: \(line)")

        // A request the parser refuses is logged as HAProxy does: <BADREQ>, PR termination.
        let socket = try fixture.connect()
        defer { socket.close() }
        try socket.send("GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n")
        _ = try await socket.receiveAll(timeout: .seconds(5))
        let refused = try await Self.waitForLines(in: log, count: 2).last ?? ""
        #expect(refused.range(of: #" web <NOSRV>/<NOSRV> [0-9]+/-1/-1/-1/[0-9]+ 400 [0-9]+ - - PR-- 0/0/0/0/0 0/0 "<BADREQ>"$"#, options: .regularExpression) != nil, "\(refused)")
    }

    @Test("proxied GET and POST requests are logged as JSON lines with their timers and termination state")
    func jsonLines() async throws {
        let directory = try Self.makeLogDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("access.json").path
        let (fixture, _) = try await Self.start(tasks: 1, extra: "access_log: { format: json, path: \(log) }\n")
        defer { fixture.stop() }
        _ = try await Curl.run(["http://\(fixture.address)/one"])
        _ = try await Curl.run(["-X", "POST", "-d", "abc", "http://\(fixture.address)/two"])
        let lines = try await Self.waitForLines(in: log, count: 2)
        #expect(lines.count == 2)
        let records = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let first = try #require(records.first)
        #expect(first["method"] as? String == "GET" && first["target"] as? String == "/one")
        #expect(first["status"] as? Int == 200 && first["backend"] as? String == "hello")
        #expect(first["endpoint"] as? String == fixture.taskAddresses[0])
        #expect(first["termination"] as? String == "----" && first["retries"] as? Int == 0)
        #expect(first["listener"] as? String == "web" && first["tls"] as? Bool == false)
        for key in ["request_head_ms", "connect_ms", "response_ms", "total_ms", "bytes"] {
            #expect((first[key] as? Int ?? -1) >= 0, "\(key) in \(lines[0])")
        }
        #expect((first["time"] as? String)?.hasSuffix("Z") == true)
        #expect(records.last?["method"] as? String == "POST" && records.last?["status"] as? Int == 200)
    }

    @Test("/metrics parses as Prometheus text and its counters move with traffic")
    func metricsMoveWithTraffic() async throws {
        let (fixture, admin) = try await Self.start(tasks: 2)
        defer { fixture.stop() }
        let before = try PrometheusTextParser(try await Curl.run(["\(admin)/metrics"]).out)
        let requests = 25
        let result = try await Curl.run(Array(repeating: "http://\(fixture.address)/", count: requests) + ["-o", "/dev/null"])
        #expect(result.status == 0)
        let scrape = try await Curl.run(["-D", "-", "\(admin)/metrics"])
        #expect(scrape.out.contains("Content-Type: text/plain; version=0.0.4"))
        let body = String(scrape.out[(scrape.out.range(of: "\r\n\r\n")?.upperBound ?? scrape.out.startIndex)...])
        let after = try PrometheusTextParser(body)

        let ok = ["backend": "hello", "code": "200"]
        #expect(after.types["proxyd_requests_total"] == "counter")
        #expect(after.types["proxyd_request_duration_seconds"] == "histogram")
        #expect(after.sum("proxyd_requests_total", where: ok) - before.sum("proxyd_requests_total", where: ok) == Double(requests))
        #expect(after.sum("proxyd_request_duration_seconds_count", where: ["backend": "hello"])
                - before.sum("proxyd_request_duration_seconds_count", where: ["backend": "hello"]) == Double(requests))
        #expect(after.sum("proxyd_connections_total") > before.sum("proxyd_connections_total"))
        #expect(after.value("proxyd_endpoints", ["backend": "hello", "state": "up"]) == 2)
        #expect(after.value("proxyd_endpoints", ["backend": "hello", "state": "drained"]) == 0)
        #expect(after.value("proxyd_open_connections") != nil)
        #expect(after.sum("proxyd_response_bytes_total", where: ["backend": "hello"]) > 0)
    }

    @Test("with admin.token every admin request needs the bearer token (401 otherwise)")
    func tokenRequired() async throws {
        let (fixture, admin) = try await Self.start(tasks: 1, token: "s3cret-token")
        defer { fixture.stop() }
        for path in ["/", "/metrics", "/api/backends"] {
            let none = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "\(admin)\(path)"])
            #expect(none.out == "401", "\(path)")
            let wrong = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer s3cret-tokeX", "\(admin)\(path)"])
            #expect(wrong.out == "401", "\(path)")
            let right = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer s3cret-token", "\(admin)\(path)"])
            #expect(right.out == "200", "\(path)")
        }
        let drain = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(admin)/api/backends/hello/endpoints/\(fixture.taskAddresses[0])/drain"])
        #expect(drain.out == "401")
    }

    @Test("proxyd check and run refuse a non-loopback admin bind without a token, naming file and line")
    func exposedAdminNeedsToken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("proxyd.yaml")
        try """
        backends:
          hello:
            servers: ["127.0.0.1:9"]
        listeners:
          - bind: 127.0.0.1:0
            backend: hello
        admin:
          bind: 0.0.0.0:9901
        """.write(to: config, atomically: true, encoding: .utf8)
        for command in ["check", "run"] {
            let result = try await ExternalTool.run(TestPaths.proxydBinary, [command, "--config", config.path], timeout: .seconds(10))
            #expect(result.status == 1, "\(command)")
            #expect(result.err.contains("\(config.path):8:"), "\(command): \(result.err)")
            #expect(result.err.contains("admin.bind 0.0.0.0:9901 is not a loopback address: set admin.token"), "\(command): \(result.err)")
        }
        try """
        backends:
          hello:
            servers: ["127.0.0.1:9"]
        listeners:
          - bind: 127.0.0.1:0
            backend: hello
        admin:
          bind: 0.0.0.0:9901
          token: "long-random-token"
        """.write(to: config, atomically: true, encoding: .utf8)
        let accepted = try await ExternalTool.run(TestPaths.proxydBinary, ["check", "--config", config.path], timeout: .seconds(10))
        #expect(accepted.status == 0, "\(accepted.err)")
    }

    @Test("admin drain under continuous load: 0 failed requests, and the drained endpoint gets no new request until enabled")
    func drainUnderLoad() async throws {
        let wrk = try ExternalTool.locate("wrk", package: "wrk")
        let (fixture, admin) = try await Self.start(tasks: 3)
        defer { fixture.stop() }
        let drained = fixture.taskAddresses[1]
        async let load = ExternalTool.run(wrk, ["-t1", "-c8", "-d8s", "http://\(fixture.address)/"], timeout: .seconds(40))
        try await Task.sleep(for: .seconds(2))
        let drain = try await Curl.run(["-w", "\n%{http_code}", "-X", "POST", "\(admin)/api/backends/hello/endpoints/\(drained)/drain"])
        #expect(drain.out.hasSuffix("\n200"), "\(drain.out)")
        // In-flight requests of the drained endpoint finish; after that its count must stay.
        try await Task.sleep(for: .seconds(1))
        let settled = try await Self.endpoint(drained, admin: admin)
        #expect(settled?["state"] as? String == "drained")
        let countAtDrain = settled?["requests"] as? Int ?? -1
        #expect(countAtDrain > 0)
        try await Task.sleep(for: .seconds(3))
        let later = try await Self.endpoint(drained, admin: admin)
        #expect(later?["requests"] as? Int == countAtDrain, "the drained endpoint got new requests")
        let report = WrkReport(try await load.out)
        #expect(report.requests > 300)
        #expect(report.socketErrors == 0 && report.non2xx == 0, "requests \(report.requests), socket errors \(report.socketErrors), non-2xx \(report.non2xx)")
        let others = try await [fixture.taskAddresses[0], fixture.taskAddresses[2]].asyncMap { try await Self.endpoint($0, admin: admin) }
        #expect(others.allSatisfy { ($0?["requests"] as? Int ?? 0) > countAtDrain / 2 })

        // Enabled again, it takes traffic again.
        let enable = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(admin)/api/backends/hello/endpoints/\(drained)/enable"])
        #expect(enable.out == "200")
        _ = try await Curl.run(Array(repeating: "http://\(fixture.address)/", count: 12) + ["-o", "/dev/null"])
        let enabled = try await Self.endpoint(drained, admin: admin)
        #expect(enabled?["state"] as? String == "up")
        #expect((enabled?["requests"] as? Int ?? 0) > countAtDrain)
    }

    @Test("weight set through the API survives and steers traffic; unknown endpoints are 404, bad bodies 400")
    func weightOverride() async throws {
        let (fixture, admin) = try await Self.start(tasks: 2)
        defer { fixture.stop() }
        let heavy = fixture.taskAddresses[0]
        let set = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", #"{"weight": 3}"#, "\(admin)/api/backends/hello/endpoints/\(heavy)/weight"])
        #expect(set.out == "200")
        let before = try await Self.endpoint(heavy, admin: admin)
        #expect(before?["weight_override"] as? Int == 3 && before?["weight"] as? Int == 1)
        let start = (before?["requests"] as? Int ?? 0, try await Self.endpoint(fixture.taskAddresses[1], admin: admin)?["requests"] as? Int ?? 0)
        _ = try await Curl.run(Array(repeating: "http://\(fixture.address)/", count: 40) + ["-o", "/dev/null"])
        let heavyCount = (try await Self.endpoint(heavy, admin: admin)?["requests"] as? Int ?? 0) - start.0
        let lightCount = (try await Self.endpoint(fixture.taskAddresses[1], admin: admin)?["requests"] as? Int ?? 0) - start.1
        // 3:1 by smooth weighted round robin (a cycle may straddle the start).
        #expect(heavyCount + lightCount == 40 && abs(heavyCount - 30) <= 2, "\(heavyCount) / \(lightCount)")

        let unknown = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(admin)/api/backends/hello/endpoints/10.9.9.9:1/drain"])
        #expect(unknown.out == "404")
        let bad = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", #"{"weight": -1}"#, "\(admin)/api/backends/hello/endpoints/\(heavy)/weight"])
        #expect(bad.out == "400")
    }

    @Test("POST /api/reload re-reads the file like SIGHUP: a valid change applies, an invalid one is 422 with file:line and the old configuration keeps serving")
    func reloadThroughTheAPI() async throws {
        let (fixture, admin) = try await Self.start(tasks: 1)
        defer { fixture.stop() }
        let config = fixture.directory.appendingPathComponent("proxyd.yaml")
        let original = try String(contentsOf: config, encoding: .utf8)
        let added = original.replacingOccurrences(of: "backends:\n", with: "backends:\n  spare:\n    servers: [\"\(fixture.taskAddresses[0])\"]\n")
        try added.write(to: config, atomically: true, encoding: .utf8)
        let applied = try await Curl.run(["-w", "\n%{http_code}", "-X", "POST", "\(admin)/api/reload"])
        #expect(applied.out.hasSuffix("\n200") && applied.out.contains("reloaded"), "\(applied.out)")
        let listed = try await Curl.run(["\(admin)/api/backends"])
        #expect(listed.out.contains("\"spare\""), "the reloaded backend is not listed: \(listed.out)")

        try (added + "\nlisteners: [oops\n").write(to: config, atomically: true, encoding: .utf8)
        let refused = try await Curl.run(["-w", "\n%{http_code}", "-X", "POST", "\(admin)/api/reload"])
        #expect(refused.out.hasSuffix("\n422") && refused.out.contains("proxyd.yaml:"), "\(refused.out)")
        #expect(try await Curl.run(["http://\(fixture.address)/"]).out.hasPrefix("hello from task-1"))
    }

    @Test("the stats page, rendered by headless Chromium, shows every endpoint discovered from BIND and its state")
    func statsPageInChromium() async throws {
        let chromium = try ExternalTool.locate("chromium", package: "chromium")
        let named = try await NamedServer.start()
        defer { named.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let tasks = try await fixture.startCloudMapTasks(count: 3)
        try await named.register(tasks)
        let adminPort = try await FreePort.udpAndTCP()
        let tlsPort = try await FreePort.udpAndTCP()
        let pem = try SelfSignedCertificate.combinedPEM(commonName: "stats.test", alternativeNames: ["DNS:stats.test"])
        let certificate = fixture.directory.appendingPathComponent("site.pem")
        try pem.write(to: certificate, atomically: true, encoding: .utf8)
        try await fixture.startProxy(yaml: """
            resolvers:
              cloudmap:
                nameservers: ["127.0.0.1:\(named.port)"]
                timeout: 300ms
                min_ttl: 1s
                max_ttl: 2s
            backends:
              hello:
                srv: { name: _hello-world-service.internal, resolver: cloudmap }
            listeners:
              - name: web
                bind: LISTEN
                backend: hello
              - name: https
                bind: 127.0.0.1:\(tlsPort)
                tls: { certificates: [\(certificate.path)] }
                backend: hello
            admin: { bind: 127.0.0.1:\(adminPort) }
            """)
        let admin = "http://127.0.0.1:\(adminPort)"
        try await Self.waitForAdmin(admin)
        // Wait for discovery, then drain one endpoint so the page has two states to show.
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, try await Self.backends(admin: admin).first?["endpoints"].flatMap({ $0 as? [Any] })?.count ?? 0 < 3 {
            try await Task.sleep(for: .milliseconds(200))
        }
        let drained = fixture.taskAddresses[2]
        let drain = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(admin)/api/backends/hello/endpoints/\(drained)/drain"])
        #expect(drain.out == "200")
        // An SRV refresh now keeps the drain (the override outlives DNS updates).
        let refresh = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(admin)/api/backends/hello/refresh"])
        #expect(refresh.out == "202")
        try await Task.sleep(for: .milliseconds(500))

        let profile = fixture.directory.appendingPathComponent("chromium-profile").path
        let page = try await ExternalTool.run(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-proxy-server", "--user-data-dir=\(profile)",
            "--dump-dom", "\(admin)/",
        ], timeout: .seconds(60))
        #expect(page.status == 0, "\(page.err)")
        let dom = page.out
        #expect(dom.contains("backend hello"))
        #expect(dom.contains("_hello-world-service.internal"))
        for (index, address) in fixture.taskAddresses.enumerated() {
            let state = address == drained ? "drained" : "up"
            #expect(dom.contains("data-endpoint=\"\(address)\" data-state=\"\(state)\""), "\(address) should be \(state)")
            #expect(dom.contains("task-\(index + 1)"), "the SRV target of \(address)")
        }
        #expect(dom.contains("CN=stats.test") || dom.contains("stats.test"), "the certificate table")
        #expect(!dom.contains("<button"), "without an admin token the page has no drain/ready buttons")
        #expect(!dom.contains("/stats.js"), "nor a script")

        // The same deployment's DNS and certificate metrics.
        let metrics = try PrometheusTextParser(try await Curl.run(["\(admin)/metrics"]).out)
        #expect(metrics.sum("proxyd_dns_queries_total", where: ["resolver": "cloudmap"]) >= 2)
        #expect(metrics.value("proxyd_dns_timeouts_total", ["resolver": "cloudmap"]) != nil)
        #expect(metrics.value("proxyd_dns_truncations_total", ["resolver": "cloudmap"]) != nil)
        #expect(metrics.value("proxyd_dns_dropped_answers_total", ["resolver": "cloudmap"]) != nil)
        #expect(metrics.value("proxyd_endpoints", ["backend": "hello", "state": "drained"]) == 1)
        #expect(metrics.value("proxyd_endpoints", ["backend": "hello", "state": "up"]) == 2)
        let expiry = metrics.sum("proxyd_certificate_expiry_timestamp_seconds", where: ["listener": "https"])
        #expect(expiry > Date().timeIntervalSince1970, "a fresh certificate expires in the future: \(expiry)")
    }

    @Test("the stats page in headless Chromium: counters match the JSON API and show stat, charts carry the traffic, DNS changes are marked, drain works from the button with a pasted token")
    func statsPageChartsAndDrainInChromium() async throws {
        let chromium = try ExternalTool.locate("chromium", package: "chromium")
        let python = try ExternalTool.locate("python3", package: "python3")
        let named = try await NamedServer.start()
        defer { named.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let tasks = try await fixture.startCloudMapTasks(count: 4)
        try await named.register(Array(tasks.prefix(3)))
        let adminPort = try await FreePort.udpAndTCP()
        let token = "tok-\(UUID().uuidString)"
        let socketPath = fixture.directory.appendingPathComponent("admin.sock").path
        try await fixture.startProxy(yaml: """
            resolvers:
              cloudmap:
                nameservers: ["127.0.0.1:\(named.port)"]
                timeout: 300ms
                min_ttl: 1s
                max_ttl: 1s
                removal_grace: 1s
            backends:
              hello:
                srv: { name: _hello-world-service.internal, resolver: cloudmap, server_prefix: srv }
            listeners:
              - name: web
                bind: LISTEN
                backend: hello
            admin: { bind: 127.0.0.1:\(adminPort), token: "\(token)" }
            stats_socket: { path: \(socketPath), mode: "0600", level: admin }
            """)
        let admin = "http://127.0.0.1:\(adminPort)"
        try await Self.waitForAdmin(admin, token: token)
        func endpoints() async throws -> [[String: Any]] {
            let result = try await Curl.run(["-H", "Authorization: Bearer \(token)", "\(admin)/api/backends"])
            let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
            return (object?["backends"] as? [[String: Any]])?.first?["endpoints"] as? [[String: Any]] ?? []
        }
        func waitFor(_ what: String, _ condition: ([[String: Any]]) -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if condition(try await endpoints()) { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            Issue.record("timed out waiting for \(what)")
        }
        func listed(_ list: [[String: Any]], state: String) -> Set<String> {
            Set(list.filter { $0["state"] as? String == state }.compactMap { $0["id"] as? String })
        }
        let ids = fixture.taskAddresses
        try await waitFor("three tasks up") { listed($0, state: "up") == Set(ids.prefix(3)) }
        _ = try await Curl.run(Array(repeating: "http://\(fixture.address)/", count: 60))
        // ECS starts task-4 and stops task-1: Cloud Map's records change, the watcher follows.
        try await named.register([tasks[3]])
        try await waitFor("task-4 discovered") { listed($0, state: "up").contains(ids[3]) }
        try await named.deregister([tasks[0]])
        try await waitFor("task-1 gone") { !listed($0, state: "up").contains(ids[0]) }
        _ = try await Curl.run(Array(repeating: "http://\(fixture.address)/", count: 60))
        try await Task.sleep(for: .milliseconds(300))

        let before = try await endpoints()
        let whole = try JSONSerialization.jsonObject(with: Data(try await Curl.run(["-H", "Authorization: Bearer \(token)", "\(admin)/api/backends"]).out.utf8)) as? [String: Any]
        let web = ((whole?["listeners"] as? [[String: Any]])?.first?["counters"] as? [String: Any]) ?? [:]
        let stat = try await RuntimeAPIEndToEndTests.send("show stat", to: socketPath)
        let profile = fixture.directory.appendingPathComponent("chromium-profile").path
        let screenshot = fixture.directory.appendingPathComponent("stats.png").path
        let driver = TestPaths.repository.appendingPathComponent("Tests/proxydTests/Fixtures/stats_page_driver.py").path
        let drained = ids[1]
        let run = try await ExternalTool.run(python, [driver, chromium.path, "\(admin)/", profile, screenshot, "--token", token, "--drain", drained], timeout: .seconds(90))
        #expect(run.status == 0, "\(run.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let dom = report["dom"] as? String ?? ""
        #expect(report["signInForm"] as? Bool == true, "with a token the page first asks for it")
        #expect(report["tokenInSessionStorage"] as? Bool == true)
        #expect(report["tokenInDOM"] as? Bool == false, "the token is never written into the page")
        #expect((report["actionStatus"] as? String ?? "").contains("200"), "\(report["actionStatus"] ?? "")")
        #expect(try await endpoints().first { $0["id"] as? String == drained }?["state"] as? String == "drained")

        // show stat's server rows, by address.
        let header = stat.split(separator: "\n").first.map { $0.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        var statRows: [String: [String: String]] = [:]
        for line in stat.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let row = Dictionary(zip(header, fields), uniquingKeysWith: { a, _ in a })
            if let address = row["addr"], !address.isEmpty { statRows[address] = row }
            if row["svname"] == "FRONTEND" { statRows["FRONTEND"] = row }
        }
        // The listener's row: the page, the JSON API and show stat agree.
        let webRequests = web["requests"] as? Int ?? -1
        let webSessions = web["sessions"] as? Int ?? -1
        #expect(webRequests == 120, "every request through the listener: \(web)")
        #expect(dom.contains("<tr data-listener=\"web\" data-sessions=\"\(webSessions)\" data-requests=\"\(webRequests)\">"))
        #expect(statRows["FRONTEND"]?["req_tot"] == String(webRequests))
        #expect(statRows["FRONTEND"]?["stot"] == String(webSessions))
        let boxes = report["boxes"] as? [[String: Any]] ?? []
        var totalRequests = 0
        for endpoint in before {
            let id = try #require(endpoint["id"] as? String)
            let counters = endpoint["counters"] as? [String: Any] ?? [:]
            let requests = counters["requests"] as? Int ?? -1
            totalRequests += requests
            let bytesIn = counters["bytes_in"] as? Int ?? -1
            let bytesOut = counters["bytes_out"] as? Int ?? -1
            #expect(dom.contains("data-endpoint=\"\(id)\" data-state=\"\(id == drained ? "drained" : endpoint["state"] as? String ?? "")\" data-requests=\"\(requests)\" data-bytes-in=\"\(bytesIn)\" data-bytes-out=\"\(bytesOut)\""), "the row of \(id) matches the API: \(endpoint)")
            #expect(statRows[id]?["stot"] == String(requests), "show stat's stot of \(id)")
            #expect(statRows[id]?["bout"] == String(bytesOut), "show stat's bout of \(id)")
            // The chart's series holds every request of the last minutes, and the chart has ink.
            let series = try #require(dom.range(of: "<svg class=\"chart\" data-endpoint=\"\(id)\" data-series=\"").map { dom[$0.upperBound...].prefix { $0 != "\"" } })
            #expect(series.split(separator: ",").compactMap { Int($0) }.reduce(0, +) == requests, "series of \(id): \(series)")
            let chart = boxes.first { $0["kind"] as? String == "chart" && $0["id"] as? String == id }
            #expect((chart?["width"] as? Double ?? 0) >= 200 && (chart?["height"] as? Double ?? 0) >= 50, "\(chart ?? [:])")
            if requests > 0 {
                #expect((chart?["variance"] as? Double ?? 0) > 20, "the chart of \(id) is not blank: \(chart ?? [:])")
            }
        }
        #expect(totalRequests >= 100, "the traffic reached the listed tasks: \(totalRequests)")
        #expect(before.contains { $0["id"] as? String == ids[3] && ($0["counters"] as? [String: Any])?["requests"] as? Int ?? 0 > 0 })
        // The DNS changes: the first answer, task-4 added, task-1 removed.
        #expect(dom.contains("data-added=\"3\" data-removed=\"0\""), "the first answer's three tasks")
        #expect(dom.contains("data-added=\"1\" data-removed=\"0\""), "task-4 added")
        #expect(dom.contains("data-added=\"0\" data-removed=\"1\""), "task-1 removed")
        let timeline = boxes.first { $0["kind"] as? String == "timeline" }
        #expect((timeline?["variance"] as? Double ?? 0) > 5, "the timeline has markers: \(timeline ?? [:])")
        // Layout: every region inside the screenshot, rows stacked in order, the charts in one column.
        let shot = report["screenshot"] as? [String: Any] ?? [:]
        let right = boxes.map { ($0["x"] as? Double ?? 0) + ($0["width"] as? Double ?? 0) }.max() ?? 0
        #expect(shot["width"] as? Int ?? 0 >= 1600 && Double(shot["width"] as? Int ?? 0) >= right, "\(shot)")
        let bottom = boxes.map { ($0["y"] as? Double ?? 0) + ($0["height"] as? Double ?? 0) }.max() ?? 0
        #expect(Double(shot["height"] as? Int ?? 0) >= bottom)
        let charts = boxes.filter { $0["kind"] as? String == "chart" }
        #expect(Set(charts.map { $0["x"] as? Double ?? -1 }).count == 1, "charts share one column: \(charts)")
        let rows = boxes.filter { $0["kind"] as? String == "row" }.map { $0["y"] as? Double ?? 0 }
        #expect(rows == rows.sorted() && Set(rows).count == rows.count)
        #expect(FileManager.default.fileExists(atPath: screenshot))
    }

    // MARK: Helpers

    static func backends(admin: String) async throws -> [[String: Any]] {
        let result = try await Curl.run(["\(admin)/api/backends"])
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        return object?["backends"] as? [[String: Any]] ?? []
    }

    static func endpoint(_ id: String, admin: String) async throws -> [String: Any]? {
        let endpoints = try await backends(admin: admin).first?["endpoints"] as? [[String: Any]] ?? []
        return endpoints.first { $0["id"] as? String == id }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
