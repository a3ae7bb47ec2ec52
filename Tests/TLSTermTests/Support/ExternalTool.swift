import Foundation
import PeerHarness
import Testing

/// Runs peers (openssl, curl) as subprocesses with a deadline, capturing their output.
enum ExternalTool {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var combined: String { stdout + "\n" + stderr }
    }

    /// The absolute path of `tool`, or a test failure naming the Debian package to install.
    static func require(_ tool: String, debianPackage: String) throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin"] {
            let path = dir + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        Issue.record("`\(tool)` is not installed: install the Debian package `\(debianPackage)` (scripts/install-deps)")
        throw MissingTool(tool: tool)
    }

    struct MissingTool: Error { var tool: String }
    struct Timeout: Error, CustomStringConvertible {
        var command: String
        var description: String { "timed out: \(command)" }
    }

    /// Runs `path args`, feeding `input` on stdin then closing it, killing it after `timeout`.
    /// The waiting happens on a thread of its own (``runBlocking(_:)``), never on the test's.
    static func run(_ path: String, _ arguments: [String], input: String = "", timeout: Double = 20) async throws -> Output {
        try await runBlocking { try runToCompletion(path, arguments, input: input, timeout: timeout) }
    }

    private static func runToCompletion(_ path: String, _ arguments: [String], input: String, timeout: Double) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let collector = OutputCollector()
        let group = DispatchGroup()
        for (pipe, isOut) in [(stdout, true), (stderr, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collector.set(data, isOut: isOut)
                group.leave()
            }
        }
        if !input.isEmpty { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            _ = group.wait(timeout: .now() + 2)
            throw Timeout(command: ([path] + arguments).joined(separator: " "))
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        return Output(status: process.terminationStatus, stdout: collector.stdout, stderr: collector.stderr)
    }

    /// Runs a shell pipeline (`/bin/sh -c`).
    static func shell(_ script: String, timeout: Double = 20) async throws -> Output {
        try await run("/bin/sh", ["-c", script], timeout: timeout)
    }
}

/// Thread-safe holder for the two output streams.
final class OutputCollector: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    func set(_ data: Data, isOut: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isOut { out = data } else { err = data }
    }

    func append(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        out.append(data)
    }

    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }
}

/// A long-running `openssl s_client` whose stdin stays open, for connections held across a reload.
final class InteractiveProcess: @unchecked Sendable {
    // The Process and pipes are only touched by the test that owns this object.
    private let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    private let collected = OutputCollector()

    init(_ path: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [collected] handle in
            collected.append(handle.availableData)
        }
        try process.run()
    }

    func send(_ text: String) throws {
        try stdin.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    var output: String { collected.stdout }

    /// Waits until the output contains `text` (or `timeout` seconds pass).
    func waitForOutput(containing text: String, timeout: Double = 10) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return output.contains(text)
    }

    func stop() {
        stdout.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
