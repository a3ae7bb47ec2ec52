import Foundation
import PeerHarness
import Testing

/// proxyd following a nameserver that turns hostile under load (issue 9): it must keep serving
/// the last good endpoints with no failed request, never use an endpoint that only a bad
/// answer named, and report every event.
@Suite("proxyd against a hostile nameserver", .serialized, .timeLimit(.minutes(5)))
struct HostileDNSEndToEndTests {
    /// Each hostile mode, with the log line (at `--log-level debug`) that shows proxyd saw it.
    static let modes: [(mode: HostileNameserver.Mode, logged: [String])] = [
        (.spoofedID, ["dropped mismatched DNS answer", "ID "]),
        (.wrongSource, ["dropped DNS answer from an address that was not queried"]),
        (.truncatedTCPBroken, ["truncated answer, retrying over TCP", "truncated answer from"]),
        (.truncatedTCPSlow, ["truncated answer, retrying over TCP", "TCP retry failed: timeout"]),
        (.oversized, ["dropped undecodable DNS answer", "trailingBytes"]),
        (.compressionLoop, ["dropped undecodable DNS answer"]),
        (.slow, ["DNS query timed out"]),
        (.silent, ["DNS query timed out", "SRV refresh failed"]),
        (.serverFailure, ["SERVFAIL from"]),
    ]

    @Test("through spoofed, misaddressed, truncated, oversized, looping, slow, missing and SERVFAIL answers under load: 0 failed requests, the evil endpoint never used, every event logged")
    func hostileNameserverUnderLoad() async throws {
        let wrk = try ExternalTool.locate("wrk", package: "wrk")
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let good = [try await fixture.startTask(name: "task-1"), try await fixture.startTask(name: "task-2")]
        let goodPorts = good.compactMap { Int($0.split(separator: ":").last ?? "") }
        let evil = try await ConnectionCounter.start()
        defer { evil.stop() }
        let nameserver = try await HostileNameserver.start(goodPorts: goodPorts, evilPort: evil.port)
        defer { nameserver.stop() }
        let listenPort = try await FreePort.udpAndTCP()
        let address = "127.0.0.1:\(listenPort)"
        let adminPort = try await FreePort.udpAndTCP()
        let config = fixture.directory.appendingPathComponent("proxyd.yaml")
        try """
            resolvers:
              hostile:
                nameservers: ["127.0.0.1:\(nameserver.port)"]
                timeout: 300ms
                attempts: 2
                hold_on_failure: 5m
                hold_on_nxdomain: 5m
                removal_grace: 1s
                min_ttl: 1s
                max_ttl: 1s
            backends:
              hello:
                srv: { name: _hello-world-service.internal, resolver: hostile }
            listeners:
              - name: web
                bind: \(address)
                backend: hello
            timeouts: { connect: 1s, server: 5s }
            admin: { bind: 127.0.0.1:\(adminPort) }
            """.write(to: config, atomically: true, encoding: .utf8)
        // Debug logs go to a file, as an operator's would (journald, a file): a test reading a
        // pipe could stall proxyd's event loops on a full pipe and blame proxyd for it.
        let log = ProxydLog(fixture.directory.appendingPathComponent("proxyd.log"))
        let proxy = try PeerProcess(URL(fileURLWithPath: "/bin/sh"), [
            "-c", #"exec "$0" run --config "$1" --threads 2 --log-level debug 2>"$2""#,
            TestPaths.proxydBinary.path, config.path, log.url.path,
        ])
        defer { proxy.stop() }
        try await log.waitFor("listening", timeout: .seconds(10))
        try await waitUntilServed(by: ["task-1", "task-2"], at: address)

        // One wrk run per mode, back to back: continuous load, and a failure names its mode.
        // (wrk counts a response slower than --timeout as a "timeout" socket error; on a
        // machine shared by parallel builds a response can take seconds, so 10 s.)
        var logsByMode: [HostileNameserver.Mode: String] = [:]
        var reports: [(HostileNameserver.Mode, WrkReport, String)] = []
        var countersByMode: [HostileNameserver.Mode: DNSCounters] = [:]
        for (mode, _) in Self.modes {
            let before = log.text.utf8.count
            let countersBefore = try await DNSCounters.scrape(adminPort: adminPort)
            nameserver.mode = mode
            let result = try await ExternalTool.run(wrk, ["-t1", "-c8", "-d4s", "--timeout", "10s", "http://\(address)/"], timeout: .seconds(30))
            reports.append((mode, WrkReport(result.out), result.out))
            logsByMode[mode] = String(decoding: log.text.utf8.dropFirst(before), as: UTF8.self)
            countersByMode[mode] = try await DNSCounters.scrape(adminPort: adminPort) - countersBefore
        }
        nameserver.mode = .good

        for (mode, report, output) in reports {
            #expect(report.requests > 50, "mode \(mode): \(output)")
            #expect(report.socketErrors == 0 && report.non2xx == 0, "mode \(mode): \(output)")
        }
        #expect(evil.connections == 0, "the endpoint named only by hostile answers got \(evil.connections) connections")
        let fullLog = log.text
        #expect(!fullLog.contains("evil-1.internal"), "an endpoint from a hostile answer reached the watcher")
        #expect(!fullLog.contains(":\(evil.port)"), "the evil port appears in proxyd's log")
        for (mode, expected) in Self.modes {
            let queries = nameserver.queries(in: mode)
            #expect(queries.udp > 0, "no query reached the nameserver in mode \(mode)")
            if mode == .truncatedTCPBroken || mode == .truncatedTCPSlow {
                #expect(queries.tcp > 0, "no TCP retry in mode \(mode)")
            }
            // The admin listener's /metrics counts every hostile event, by kind.
            let counted = countersByMode[mode] ?? DNSCounters()
            #expect(counted.queries > 0, "mode \(mode): no DNS query counted")
            switch mode {
            case .spoofedID, .wrongSource, .oversized, .compressionLoop:
                #expect(counted.droppedAnswers > 0, "mode \(mode): no dropped answer counted (\(counted))")
            case .truncatedTCPBroken, .truncatedTCPSlow:
                #expect(counted.truncations > 0, "mode \(mode): no truncation counted (\(counted))")
            case .slow, .silent:
                #expect(counted.timeouts > 0, "mode \(mode): no timeout counted (\(counted))")
            case .good, .serverFailure:
                break
            }
            let segment = logsByMode[mode] ?? ""
            for line in expected {
                #expect(segment.contains(line), "mode \(mode): proxyd did not log \"\(line)\"")
            }
        }
        // Back to good answers: both tasks still (or again) serve.
        try await waitUntilServed(by: ["task-1", "task-2"], at: address)
        #expect(proxy.process.isRunning)
    }

    /// Waits up to 15 s until keep-alive requests reach every task in `tasks`.
    private func waitUntilServed(by tasks: Set<String>, at address: String) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        var seen: Set<String> = []
        while ContinuousClock.now < deadline {
            let result = try await Curl.run(Array(repeating: "http://\(address)/", count: 8))
            seen = Set(result.out.split(separator: "\n").filter { $0.hasPrefix("hello from ") }.map { String($0.dropFirst("hello from ".count)) })
            if seen == tasks { return }
            try await Task.sleep(for: .milliseconds(300))
        }
        Issue.record("served by \(seen.sorted()), expected \(tasks.sorted())")
    }
}

/// proxyd's log file, read as it grows.
struct ProxydLog {
    let url: URL

    init(_ url: URL) {
        self.url = url
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    }

    var text: String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    func waitFor(_ marker: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if text.contains(marker) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerProcess.PeerError.notReady(text)
    }
}

/// The resolver counters proxyd's `/metrics` exposes for the `hostile` resolvers section.
struct DNSCounters: CustomStringConvertible {
    var queries = 0.0
    var timeouts = 0.0
    var truncations = 0.0
    var droppedAnswers = 0.0

    static func scrape(adminPort: Int) async throws -> DNSCounters {
        let text = try await Curl.run(["http://127.0.0.1:\(adminPort)/metrics"]).out
        let metrics = try PrometheusTextParser(text)
        let labels = ["resolver": "hostile"]
        return DNSCounters(
            queries: metrics.sum("proxyd_dns_queries_total", where: labels),
            timeouts: metrics.sum("proxyd_dns_timeouts_total", where: labels),
            truncations: metrics.sum("proxyd_dns_truncations_total", where: labels),
            droppedAnswers: metrics.sum("proxyd_dns_dropped_answers_total", where: labels))
    }

    static func - (lhs: DNSCounters, rhs: DNSCounters) -> DNSCounters {
        DNSCounters(queries: lhs.queries - rhs.queries, timeouts: lhs.timeouts - rhs.timeouts,
                    truncations: lhs.truncations - rhs.truncations, droppedAnswers: lhs.droppedAnswers - rhs.droppedAnswers)
    }

    var description: String { "queries \(queries), timeouts \(timeouts), truncations \(truncations), dropped \(droppedAnswers)" }
}
