import Foundation
import PeerHarness
import Testing
import TLSTerm

/// proxyd in front of an ECS-like service whose tasks a real BIND `named` publishes, changed
/// through `nsupdate` the way AWS Cloud Map changes them: the seed's whole job, end to end.
@Suite("proxyd with SRV discovery from BIND", .serialized)
struct DiscoveryEndToEndTests {
    /// named + task processes + proxyd (HTTP :0 redirecting to HTTPS :0 with a generated cert).
    final class Deployment: @unchecked Sendable {
        // @unchecked: mutated only by the owning test's task.
        let named: NamedServer
        let fixture: ProxyFixture
        private(set) var tasks: [String: (process: PeerProcess, task: CloudMapTask)] = [:]
        private var next = 1

        init(taskCount: Int, holdOnFailure: String = "2m") async throws {
            named = try await NamedServer.start()
            fixture = try ProxyFixture()
            for _ in 0..<taskCount { try await addTask() }
            let pem = try SelfSignedCertificate.combinedPEM(commonName: "localhost", alternativeNames: ["DNS:localhost"])
            let certificate = fixture.directory.appendingPathComponent("site.pem")
            try pem.write(to: certificate, atomically: true, encoding: .utf8)
            try await fixture.startProxy(yaml: """
                resolvers:
                  cloudmap:
                    nameservers: ["127.0.0.1:\(named.port)"]
                    timeout: 300ms
                    attempts: 2
                    hold_on_failure: \(holdOnFailure)
                    hold_on_nxdomain: 5s
                    removal_grace: 1s
                    min_ttl: 1s
                    max_ttl: 2s
                backends:
                  hello:
                    srv: { name: _hello-world-service.internal, resolver: cloudmap }
                listeners:
                  - name: https
                    bind: LISTEN
                    tls: { certificates: [\(certificate.path)] }
                    rules:
                      - set_header: { name: X-SSL, value: "%[ssl_fc]" }
                    backend: hello
                timeouts: { connect: 1s, server: 5s }
                """)
            // Discovery is asynchronous: wait until every task answers.
            try await waitUntilServed(taskCount: taskCount)
        }

        var url: String { "https://\(fixture.address)" }

        @discardableResult
        func addTask() async throws -> String {
            let name = "task-\(next)"
            next += 1
            let address = try await fixture.startTask(name: name)
            let port = Int(address.split(separator: ":").last ?? "") ?? 0
            let task = CloudMapTask(taskID: name, address: "127.0.0.1", port: port, ttl: 1)
            try await named.register([task])
            tasks[name] = (fixture.tasks.last!, task)
            return name
        }

        /// Deregisters a task from DNS and kills it once the proxy can no longer pick it
        /// (TTL + removal grace + refresh + a margin), as ECS does with a deregistration delay.
        func retireTask(_ name: String) async throws {
            guard let entry = tasks.removeValue(forKey: name) else { return }
            try await named.deregister([entry.task])
            try await Task.sleep(for: .seconds(5))
            entry.process.kill9()
        }

        /// The task names that answered `count` keep-alive requests over one connection.
        func servingTasks(requests count: Int) async throws -> [String: Int] {
            let urls = Array(repeating: "\(url)/", count: count)
            let result = try await Curl.run(["-k"] + urls)
            var counts: [String: Int] = [:]
            for line in result.out.split(separator: "\n") where line.hasPrefix("hello from ") {
                counts[String(line.dropFirst("hello from ".count)), default: 0] += 1
            }
            return counts
        }

        func waitUntilServed(taskCount: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                if try await servingTasks(requests: taskCount * 4).count == taskCount { return }
                try await Task.sleep(for: .milliseconds(300))
            }
        }

        func stop() {
            fixture.stop()
            named.stop()
        }
    }

    @Test("HTTPS is answered by every task in rotation; tasks receive X-Forwarded-Proto: https and X-SSL: 1")
    func httpsThroughDiscovery() async throws {
        let deployment = try await Deployment(taskCount: 3)
        defer { deployment.stop() }
        let counts = try await deployment.servingTasks(requests: 30)
        #expect(counts.keys.sorted() == ["task-1", "task-2", "task-3"])
        #expect(counts.values.allSatisfy { $0 >= 5 }, "\(counts)")
        let page = try await Curl.run(["-k", "\(deployment.url)/x"])
        #expect(page.out.contains("X-Forwarded-Proto: https\n"))
        #expect(page.out.contains("X-SSL: 1\n"))
    }

    @Test("scaling out from 3 to 12 tasks: every task gets traffic, no slot limit")
    func scaleOut() async throws {
        let deployment = try await Deployment(taskCount: 3)
        defer { deployment.stop() }
        for _ in 0..<9 { try await deployment.addTask() }
        try await deployment.waitUntilServed(taskCount: 12)
        let counts = try await deployment.servingTasks(requests: 96)
        #expect(counts.count == 12, "\(counts.keys.sorted())")
    }

    @Test("a rolling deploy of every task under keep-alive load: 0 failed requests")
    func rollingDeployUnderLoad() async throws {
        let wrk = try ExternalTool.locate("wrk", package: "wrk")
        let deployment = try await Deployment(taskCount: 3)
        defer { deployment.stop() }
        async let load = ExternalTool.run(wrk, ["-t1", "-c16", "-d26s", "\(deployment.url)/"], timeout: .seconds(60))
        try await Task.sleep(for: .seconds(2))
        for old in ["task-1", "task-2", "task-3"] {
            try await deployment.addTask()
            try await Task.sleep(for: .seconds(2))
            try await deployment.retireTask(old)
        }
        let report = WrkReport(try await load.out)
        #expect(report.requests > 500)
        #expect(report.socketErrors == 0 && report.non2xx == 0, "requests \(report.requests), socket errors \(report.socketErrors), non-2xx \(report.non2xx)")
        let counts = try await deployment.servingTasks(requests: 24)
        #expect(counts.keys.sorted() == ["task-4", "task-5", "task-6"])
    }

    @Test("the DNS server stopped for 30 s under load: 0 failed requests, last good endpoints kept")
    func dnsOutageUnderLoad() async throws {
        let wrk = try ExternalTool.locate("wrk", package: "wrk")
        let deployment = try await Deployment(taskCount: 3)
        defer { deployment.stop() }
        deployment.named.stop()
        let result = try await ExternalTool.run(wrk, ["-t1", "-c16", "-d30s", "\(deployment.url)/"], timeout: .seconds(60))
        let report = WrkReport(result.out)
        #expect(report.requests > 500)
        #expect(report.socketErrors == 0 && report.non2xx == 0, "\(result.out)")
        #expect(try await deployment.servingTasks(requests: 12).count == 3)
    }
}
