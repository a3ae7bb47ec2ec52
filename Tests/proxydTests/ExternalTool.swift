import Foundation
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

    /// Runs the tool to completion (killing it after `timeout`), returning status and output.
    static func run(_ executable: URL, _ arguments: [String], timeout: Duration = .seconds(20)) async throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
