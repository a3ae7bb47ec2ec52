import Foundation
import LoadBalance
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
@testable import proxyd

/// Active health checks in a running proxy: real `proxyd hello-backend` task processes, a
/// `ProxyRuntime` in a `ServiceGroup`, and curl as the client, all on 127.0.0.1.
///
/// Outlier detection is off and `retries: 0`, so a request the balancer sends to a dead or
/// failing task would reach the client as a 502/503: a run of successes proves the checks
/// took it out of rotation, not the retry logic.
@Suite("Health checks end to end", .serialized)
struct HealthCheckEndToEndTests {
    /// Keeps every log record, so tests can read the transition lines.
    struct CapturingLogHandler: LogHandler {
        final class Store: Sendable {
            let records = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
            func lines(containing text: String) -> [(level: Logger.Level, message: String, metadata: Logger.Metadata)] {
                records.withLock { $0.filter { $0.message.contains(text) } }
            }
        }
        let store: Store
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        var metadataProvider: Logger.MetadataProvider?

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            store.records.withLock { $0.append((event.level, event.message.description, merged)) }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }

    /// A running proxy with its service group, stopped by `stop()`.
    struct RunningProxy {
        let runtime: ProxyRuntime
        let address: String
        let services: ServiceGroup
        let task: Task<Void, any Error>
        let logs: CapturingLogHandler.Store

        var balancer: LoadBalancer? { runtime.backends["app"]?.balancer }

        func health(ofPort port: Int) -> EndpointHealth? {
            balancer?.status().first { $0.endpoint.port == port }?.health
        }

        /// Graceful shutdown; returns how long the service group took to stop.
        func stop() async -> Duration {
            let started = ContinuousClock.now
            await services.triggerGracefulShutdown()
            _ = try? await task.value
            return ContinuousClock.now - started
        }
    }

    static func startTask(_ name: String, port: Int = 0) async throws -> (PeerProcess, Int) {
        let process = try PeerProcess(TestPaths.proxydBinary, ["hello-backend", "--name", name, "--bind", "127.0.0.1:\(port)"])
        let line = try await process.waitForLine(containing: "listening on")
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            process.stop()
            throw PeerProcess.PeerError.notReady(line)
        }
        return (process, port)
    }

    static func startProxy(servers: [Int]) async throws -> RunningProxy {
        let yaml = """
            backends:
              app:
                servers: [\(servers.map { "\"127.0.0.1:\($0)\"" }.joined(separator: ", "))]
                retries: 0
                outlier_detection: { consecutive_failures: 0 }
                health_check: { path: /health, interval: 200ms, timeout: 150ms, rise: 2, fall: 2 }
            listeners:
              - bind: 127.0.0.1:0
                backend: app
            """
        let configuration = try YAMLConfigurationLoader.load(yaml: yaml, file: "health-e2e.yaml").configuration
        let store = CapturingLogHandler.Store()
        let logger = Logger(label: "proxyd") { _ in CapturingLogHandler(store: store) }
        let runtime = try ProxyRuntime(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let addresses = try await runtime.bindListeners()
        let port = try #require(addresses.values.first?.port)
        let services = ServiceGroup(configuration: .init(services: [.init(service: runtime)], logger: logger))
        let task = Task { try await services.run() }
        return RunningProxy(runtime: runtime, address: "127.0.0.1:\(port)", services: services, task: task, logs: store)
    }

    /// Polls `condition` every 20 ms until it holds or `limit` passes.
    static func eventually(within limit: Duration, _ condition: () -> Bool) async throws -> Bool {
        try await BackendHealthCheckerTests.eventually(within: limit, condition)
    }

    /// `count` GETs through the proxy on one keep-alive connection: each response's status
    /// and the task that answered (from the hello page's first line).
    static func requests(_ count: Int, through address: String) async throws -> [(status: Int, task: String)] {
        let curl = try ExternalTool.locate("curl", package: "curl")
        let urls = (0..<count).map { "http://\(address)/r\($0)" }
        let run = try await ExternalTool.run(curl, ["-sS", "--noproxy", "*", "-m", "10", "-w", "##status=%{http_code}\n"] + urls)
        #expect(run.status == 0, "curl failed: \(run.err)")
        // Each transfer: its body, then "##status=NNN\n".
        let parts = run.out.components(separatedBy: "##status=")
        #expect(parts.count == count + 1, "unexpected curl output: \(run.out.prefix(300))")
        guard parts.count == count + 1 else { return [] }
        return (0..<count).map { index in
            let status = Int(parts[index + 1].prefix(3)) ?? 0
            let body = index == 0 ? parts[0] : String(parts[index].dropFirst(4))
            let task = body.split(separator: "\n").first.map { String($0.dropFirst("hello from ".count)) } ?? ""
            return (status, task)
        }
    }

    @Test("a task killed with SIGKILL is marked down within fall × interval, 30 requests skip it, and it comes back when restarted")
    func killedTaskLeavesAndReturns() async throws {
        _ = try ExternalTool.locate("curl", package: "curl")
        let (task1, port1) = try await Self.startTask("task-1")
        defer { task1.stop() }
        var (task2, port2) = try await Self.startTask("task-2")
        defer { task2.stop() }
        let (task3, port3) = try await Self.startTask("task-3")
        defer { task3.stop() }
        let proxy = try await Self.startProxy(servers: [port1, port2, port3])

        let allChecked = try await Self.eventually(within: .seconds(10)) {
            let statuses = proxy.runtime.healthChecks.statuses()
            return statuses.count == 3 && statuses.allSatisfy { $0.lastCheck?.result == .passed(status: 200) }
        }
        #expect(allChecked)

        task2.kill9()
        let killedAt = ContinuousClock.now
        let down = try await Self.eventually(within: .seconds(10)) { proxy.health(ofPort: port2) == .down(.failedChecks) }
        let tookDown = ContinuousClock.now - killedAt
        #expect(down)
        // fall (2) × interval (200 ms, +10% jitter) plus a membership look (100 ms) is ~0.6 s on
        // an idle machine; the bound leaves room for the parallel suite's load.
        #expect(tookDown < .seconds(6), "took \(tookDown) to mark the killed task down")

        let responses = try await Self.requests(30, through: proxy.address)
        #expect(responses.count == 30)
        #expect(responses.allSatisfy { $0.status == 200 })
        #expect(!responses.contains { $0.task == "task-2" })
        #expect(Set(responses.map(\.task)) == ["task-1", "task-3"])

        let wentDown = try await Self.eventually(within: .seconds(30)) { !proxy.logs.lines(containing: "endpoint down").isEmpty }
        #expect(wentDown)
        let downLine = proxy.logs.lines(containing: "endpoint down").first
        #expect(downLine?.level == .warning)
        #expect(downLine?.metadata["endpoint"] == "127.0.0.1:\(port2)")
        #expect(downLine?.metadata["reason"] == "failed (connection refused)")

        // The same task restarted on its port: rise (2) passed checks bring it back.
        (task2, _) = try await Self.startTask("task-2-again", port: port2)
        let up = try await Self.eventually(within: .seconds(10)) { proxy.health(ofPort: port2) == .up }
        #expect(up)
        let after = try await Self.requests(30, through: proxy.address)
        #expect(after.allSatisfy { $0.status == 200 })
        #expect(after.contains { $0.task == "task-2-again" })
        let cameUp = try await Self.eventually(within: .seconds(30)) {
            proxy.logs.lines(containing: "endpoint up").contains { $0.metadata["endpoint"] == "127.0.0.1:\(port2)" }
        }
        #expect(cameUp)

        // Graceful shutdown cancels the checker along with discovery.
        #expect(await proxy.stop() < .seconds(20))
    }

    @Test("an endpoint whose health path answers 503 gets no requests while the tasks behind it serve all 30")
    func failingHealthPathTakesEndpointOut() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        _ = try ExternalTool.locate("curl", package: "curl")
        let (task1, port1) = try await Self.startTask("task-1")
        defer { task1.stop() }
        let (task2, port2) = try await Self.startTask("task-2")
        defer { task2.stop() }
        // A task that is up but unhealthy: it answers every request, health check included, 503.
        let unhealthy = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Always503Handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { unhealthy.close(promise: nil) }
        let port3 = try #require(unhealthy.localAddress?.port)
        let proxy = try await Self.startProxy(servers: [port1, port2, port3])

        let down = try await Self.eventually(within: .seconds(10)) { proxy.health(ofPort: port3) == .down(.failedChecks) }
        #expect(down)
        let status = proxy.runtime.healthChecks.statuses().first { $0.endpointID == "127.0.0.1:\(port3)" }
        #expect(status?.lastCheck?.result == .failed(.unexpectedStatus(503, expected: 200...399)))

        let responses = try await Self.requests(30, through: proxy.address)
        #expect(responses.count == 30)
        #expect(responses.allSatisfy { $0.status == 200 })
        #expect(Set(responses.map(\.task)) == ["task-1", "task-2"])
        let reason = try await Self.eventually(within: .seconds(30)) {
            proxy.logs.lines(containing: "endpoint down").contains { $0.metadata["reason"] == "failed (status 503 (expected 200-399))" }
        }
        #expect(reason)
        _ = await proxy.stop()
    }
}

/// Answers every read with a 503 and closes: a task whose health endpoint fails.
private final class Always503Handler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let response = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 12\r\nConnection: close\r\n\r\nunavailable\n"
        let buffer = context.channel.allocator.buffer(string: response)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(Self.wrapOutboundOut(buffer)).whenComplete { _ in loopBound.value.close(promise: nil) }
    }
}
