public import Foundation
public import NIOCore
import NIOPosix
import Synchronization

/// A real BIND `named` serving the zone `internal.` on 127.0.0.1, started for one test.
///
/// Everything lives in a fresh temporary directory: `named.conf` (listen on a free port for UDP
/// and TCP, no recursion, dynamic updates allowed from 127.0.0.1, pid file, journal and session
/// key inside the directory, no rndc control channel), the zone file and named's log. Records
/// are added and removed with `nsupdate` the way AWS Cloud Map publishes ECS tasks. `named`
/// is stopped by its PID (SIGTERM, then SIGKILL) by ``stop()``, which every test calls in a
/// `defer`, and by `deinit` as a last resort. Missing binaries fail with the Debian package
/// to install.
public final class NamedServer: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case missingBinary(path: String, debianPackage: String)
        case didNotStart(log: String)
        case nsupdateFailed(status: Int32, input: String, output: String)

        public var description: String {
            switch self {
            case .missingBinary(let path, let package):
                return "\(path) not found: install the Debian package '\(package)' (apt-get install -y \(package))"
            case .didNotStart(let log):
                return "named did not answer within 10 s; its log:\n\(log)"
            case .nsupdateFailed(let status, let input, let output):
                return "nsupdate exited with \(status) for:\n\(input)\noutput:\n\(output)"
            }
        }
    }

    public static let namedPath = "/usr/sbin/named"
    public static let nsupdatePath = "/usr/bin/nsupdate"
    public static let digPath = "/usr/bin/dig"
    public static let zone = "internal."

    public let port: Int
    public let directory: URL
    private let process: Mutex<Process?>

    /// The server's address, for ``ResolverConfig/nameservers``.
    public var address: SocketAddress {
        get throws { try SocketAddress(ipAddress: "127.0.0.1", port: port) }
    }

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = Mutex(process)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts named with the zone `internal.` holding `records` (zone-file lines, names relative
    /// to `internal.` or absolute) and waits until it answers a SOA query.
    /// `negativeTTL` is the SOA minimum, i.e. how long resolvers may cache NXDOMAIN (RFC 2308 §4).
    /// `namedPath` is replaceable only so the missing-binary message can be tested.
    public static func start(records: [String] = [], negativeTTL: Int = 1, namedPath: String = namedPath) async throws -> NamedServer {
        for (path, package) in [(namedPath, "bind9"), (nsupdatePath, "bind9-dnsutils"), (digPath, "bind9-dnsutils")]
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw Failure.missingBinary(path: path, debianPackage: package)
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("srvdiscovery-named-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dir = directory.path
        var lastLog = ""
        for _ in 0..<3 {  // the free port can be taken between probing and named binding it
            let port = try await FreePort.udpAndTCP()
            let config = """
                options {
                  directory "\(dir)";
                  pid-file "\(dir)/named.pid";
                  session-keyfile "\(dir)/session.key";
                  managed-keys-directory "\(dir)";
                  listen-on port \(port) { 127.0.0.1; };
                  listen-on-v6 { none; };
                  recursion no;
                  dnssec-validation no;
                  notify no;
                  check-names primary ignore;
                  allow-query { 127.0.0.1; };
                };
                controls { };
                zone "\(zone)" {
                  type primary;
                  file "\(dir)/internal.zone";
                  allow-update { 127.0.0.1; };
                };

                """
            let zoneFile = """
                $ORIGIN \(zone)
                $TTL 2
                @ IN SOA ns.internal. hostmaster.internal. 1 60 60 600 \(negativeTTL)
                @ IN NS ns.internal.
                ns IN A 127.0.0.1
                \(records.joined(separator: "\n"))

                """
            try config.write(toFile: "\(dir)/named.conf", atomically: true, encoding: .utf8)
            try zoneFile.write(toFile: "\(dir)/internal.zone", atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: "\(dir)/internal.zone.jnl")
            let logPath = "\(dir)/named.log"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: namedPath)
            // -g: foreground, log to stderr; no -u: as root named keeps root, which it needs
            // only to read files in our temporary directory.
            process.arguments = ["-g", "-c", "\(dir)/named.conf", "-p", "\(port)", "-n", "1"]
            process.standardOutput = log
            process.standardError = log
            try process.run()
            let server = NamedServer(port: port, directory: directory, process: process)
            if try await server.waitUntilAnswering(deadline: .now + .seconds(10)) {
                return server
            }
            server.stop()
            lastLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        }
        throw Failure.didNotStart(log: lastLog)
    }

    /// True once `dig` gets the zone's SOA from this server.
    private func waitUntilAnswering(deadline: ContinuousClock.Instant) async throws -> Bool {
        while ContinuousClock.now < deadline {
            guard isRunning else { return false }
            let result = try await Self.run(Self.digPath, ["+short", "+time=1", "+tries=1", "@127.0.0.1", "-p", "\(port)", Self.zone, "SOA"])
            if result.status == 0, result.output.contains("hostmaster") { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// named's process ID while it runs.
    public var pid: Int32? {
        process.withLock { $0?.processIdentifier }
    }

    /// Whether named is still running.
    public var isRunning: Bool {
        process.withLock { $0?.isRunning ?? false }
    }

    /// Starts stopping named by PID without blocking (for `defer`): SIGTERM now, and on a
    /// background thread SIGKILL if it has not exited after 3 s. Idempotent.
    public func stop() {
        guard let running = takeProcess() else { return }
        kill(running.processIdentifier, SIGTERM)
        let box = ProcessBox(process: running)
        DispatchQueue.global().async { Self.reap(box.process) }
    }

    /// Stops named by PID and returns once it has exited (SIGTERM, then SIGKILL after 3 s).
    /// The waiting happens on NIO's thread pool, never on the concurrency pool. Idempotent.
    public func shutDown() async throws {
        guard let running = takeProcess() else { return }
        kill(running.processIdentifier, SIGTERM)
        let box = ProcessBox(process: running)
        try await NIOThreadPool.singleton.runIfActive { Self.reap(box.process) }
    }

    private func takeProcess() -> Process? {
        let running: Process? = process.withLock { current in
            defer { current = nil }
            return current
        }
        guard let running, running.isRunning else { return nil }
        return running
    }

    /// Blocks until `process` has exited, escalating to SIGKILL after 3 s.
    private static func reap(_ process: Process) {
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Applies one dynamic update (RFC 2136) through `nsupdate` over TCP: every `delete` line
    /// (`name [type [data]]`) and then every `add` line (`name ttl IN type data`), atomically.
    public func update(add: [String] = [], delete: [String] = []) async throws {
        var input = "check-names no\nserver 127.0.0.1 \(port)\nzone \(Self.zone)\n"
        for line in delete { input += "update delete \(line)\n" }
        for line in add { input += "update add \(line)\n" }
        input += "send\n"
        var result = try await Self.run(Self.nsupdatePath, ["-v"], input: input)
        // nsupdate could not talk to named at all ("; Communication with 127.0.0.1#PORT failed:
        // operation canceled", seen once right after start on a loaded machine): try again a
        // few times. An answer from named (REFUSED, NOTZONE…) is never retried.
        var attempts = 1
        while result.status != 0, result.output.contains("Communication with"), attempts < 4 {
            try await Task.sleep(for: .milliseconds(300))
            result = try await Self.run(Self.nsupdatePath, ["-v"], input: input)
            attempts += 1
        }
        guard result.status == 0 else {
            throw Failure.nsupdateFailed(status: result.status, input: input, output: result.output)
        }
    }

    /// Runs a short-lived tool to completion on NIO's thread pool (it blocks) and returns its
    /// exit status and combined output.
    private static func run(_ path: String, _ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
        try await NIOThreadPool.singleton.runIfActive {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            let stdin = Pipe()
            process.standardInput = stdin
            try process.run()
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }
}

/// Carries a `Process` to the thread that reaps it.
/// `@unchecked Sendable`: after the hand-over only that thread touches the process (the
/// server has already dropped its reference under its lock in `takeProcess()`).
private struct ProcessBox: @unchecked Sendable {
    let process: Process
}

/// One ECS task as AWS Cloud Map publishes it for a service with SRV discovery: an SRV record
/// `_service.namespace. SRV 1 1 <port> <task-id>._service.namespace.` and an A record for
/// `<task-id>._service.namespace.`.
public struct CloudMapTask: Hashable, Sendable {
    public var service: String = "_hello-world-service.internal."
    public var taskID: String
    public var address: String
    public var port: Int
    public var ttl: Int = 2

    public init(service: String = "_hello-world-service.internal.", taskID: String, address: String, port: Int, ttl: Int = 2) {
        self.service = service
        self.taskID = taskID
        self.address = address
        self.port = port
        self.ttl = ttl
    }

    public var targetName: String { "\(taskID).\(service)" }
    public var srvRecord: String { "\(service) \(ttl) IN SRV 1 1 \(port) \(targetName)" }
    public var aRecord: String { "\(targetName) \(ttl) IN A \(address)" }
}

extension NamedServer {
    /// Registers tasks as Cloud Map does when ECS starts them (SRV + A in one update).
    public func register(_ tasks: [CloudMapTask]) async throws {
        try await update(add: tasks.flatMap { [$0.srvRecord, $0.aRecord] })
    }

    /// Deregisters tasks as Cloud Map does when ECS stops them (their SRV and A records).
    public func deregister(_ tasks: [CloudMapTask]) async throws {
        try await update(delete: tasks.flatMap {
            ["\($0.service) IN SRV 1 1 \($0.port) \($0.targetName)", "\($0.targetName) IN A \($0.address)"]
        })
    }
}
