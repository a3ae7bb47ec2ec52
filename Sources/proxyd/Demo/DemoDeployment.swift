import DNSWire
import Logging
import NIOCore
import ServiceLifecycle
import NIOConcurrencyHelpers

/// The demo's ECS service: a few hello tasks published in the embedded zone as Cloud Map
/// does (one SRV record per task under `_hello-world-service.internal`, plus the task's A
/// record), and a rolling deploy that replaces one task at a time, so a person watching
/// `proxyd demo` sees discovery follow with no failed request.
///
/// A replacement starts the new task, publishes it, withdraws the oldest task's records, and
/// stops the old task only after DNS TTL + the watcher's removal grace + a drain margin — the
/// order ECS follows with a deregistration delay.
final class DemoDeployment: Service, Sendable {
    static let serviceName = "_hello-world-service.internal"

    private let dns: DemoDNSServer
    private let group: any EventLoopGroup
    private let logger: Logger
    private let replaceEvery: Duration?
    private let retireAfter: Duration
    private let ttl: UInt32
    private let state = NIOLockedValueBox(State())

    private struct State {
        var tasks: [HelloBackend] = []
        var nextNumber = 1
    }

    init(dns: DemoDNSServer, group: any EventLoopGroup, logger: Logger, replaceEvery: Duration?, ttl: UInt32 = 5, retireAfter: Duration = .seconds(12)) {
        self.dns = dns
        self.group = group
        self.logger = logger
        self.replaceEvery = replaceEvery
        self.ttl = ttl
        self.retireAfter = retireAfter
    }

    /// Starts the first `count` tasks and publishes them.
    func start(count: Int) async throws {
        for _ in 0..<count { try await launchTask() }
        publish()
    }

    var taskNames: [String] { state.withLockedValue { $0.tasks.map(\.name) } }

    private func launchTask() async throws {
        let number = state.withLockedValue { state in
            defer { state.nextNumber += 1 }
            return state.nextNumber
        }
        let task = try await HelloBackend.start(name: "task-\(number)", group: group)
        state.withLockedValue { $0.tasks.append(task) }
        logger.info("task started", metadata: ["task": "\(task.name)", "port": "\(task.port)"])
    }

    /// Writes every live task into the zone.
    private func publish() {
        let tasks = state.withLockedValue { $0.tasks }
        dns.setRecords(Self.records(for: tasks.map { ($0.name, $0.port) }, ttl: ttl))
    }

    /// The SRV + A records Cloud Map publishes for these tasks.
    static func records(for tasks: [(name: String, port: Int)], ttl: UInt32) -> [ResourceRecord] {
        guard let service = try? DomainName(serviceName) else { return [] }
        var records: [ResourceRecord] = []
        for task in tasks {
            guard let target = try? DomainName("\(task.name).\(serviceName)") else { continue }
            records.append(ResourceRecord(name: service, ttl: ttl, data: .srv(SRV(priority: 1, weight: 1, port: UInt16(task.port), target: target))))
            records.append(ResourceRecord(name: target, ttl: ttl, data: .a(IPv4Address(127, 0, 0, 1))))
        }
        return records
    }

    /// One step of a rolling deploy: a new task in, the oldest out of DNS, and stopped later.
    func replaceOldestTask() async throws {
        try await launchTask()
        let retiring = state.withLockedValue { state -> HelloBackend? in
            guard state.tasks.count > 1 else { return nil }
            return state.tasks.removeFirst()
        }
        publish()
        guard let retiring else { return }
        logger.info("rolling deploy: task deregistered from DNS, draining", metadata: ["task": "\(retiring.name)"])
        Task {
            try? await Task.sleep(for: retireAfter)
            await retiring.stop()
            self.logger.info("task stopped", metadata: ["task": "\(retiring.name)"])
        }
    }

    func run() async throws {
        guard let replaceEvery else {
            try? await gracefulShutdown()
            await stopAll()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: replaceEvery)
                    try await self.replaceOldestTask()
                } catch {
                    break
                }
            }
        }
        await stopAll()
    }

    func stopAll() async {
        let tasks = state.withLockedValue { state in
            defer { state.tasks = [] }
            return state.tasks
        }
        for task in tasks { await task.stop() }
    }
}
