import Foundation
import PeerHarness
import Testing

/// Runs a real peer program (dig, curl, openssl) the way an operator would, with a deadline.
enum ExternalTool {
    struct Missing: Error, CustomStringConvertible {
        var tool: String
        var package: String
        var description: String { "\(tool) is not installed: install the Debian package '\(package)' (scripts/install-deps does)" }
    }

    /// Finds `tool` on PATH or in /usr/sbin; throws (failing the test) when it is absent.
    static func locate(_ tool: String, package: String) throws -> URL {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(tool)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Missing(tool: tool, package: package)
    }

    /// Runs the tool to completion (killing it after `timeout`), returning status and output;
    /// in `directory` when given, with `environment` instead of the test process's when given.
    ///
    /// The blocking reads and the wait happen on a thread of their own, not on the test's
    /// task: Swift concurrency has one cooperative thread per core (2 here), and a `wrk` run of
    /// 8 s or a Chromium start blocking one of them would stall every other suite's tasks.
    static func run(
        _ executable: URL, _ arguments: [String], timeout: Duration = .seconds(20),
        in directory: URL? = nil, environment: [String: String]? = nil
    ) async throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        defer { watchdog.cancel() }
        let outHandle = out.fileHandleForReading, errHandle = err.fileHandleForReading
        let box = ProcessHandle(process: process)
        return await runBlocking {
            let outData = outHandle.readDataToEndOfFile()
            let errData = errHandle.readDataToEndOfFile()
            box.process.waitUntilExit()
            return (box.process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
        }
    }
}

/// Carries a `Process` to the thread that waits for it. `@unchecked Sendable`: that thread
/// only reads its state and waits for it, which `Process` allows from any thread.
struct ProcessHandle: @unchecked Sendable {
    let process: Process
}
