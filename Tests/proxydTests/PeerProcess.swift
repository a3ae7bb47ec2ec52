import Foundation
import NIOConcurrencyHelpers

/// A peer program running in the background for a test (a backend task, a DNS server),
/// stopped by PID — SIGTERM, then SIGKILL — when the test is done or fails.
final class PeerProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init; Process itself is thread-safe for the
    // calls made here (terminate/kill by pid, isRunning, waitUntilExit).
    let process: Process
    private let output: Pipe
    /// Everything read from the watched stream so far (see ``captureOutput()``).
    private let captured = NIOLockedValueBox(Data())
    var pid: Int32 { process.processIdentifier }

    /// Starts `executable` and waits up to `timeout` for a line of its standard output
    /// containing `readyMarker`, returning that line.
    /// `readStandardError`: watch standard error instead of standard output (where proxyd
    /// logs); the other stream is discarded.
    init(_ executable: URL, _ arguments: [String], readStandardError: Bool = false) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        output = Pipe()
        if readStandardError {
            process.standardError = output
            process.standardOutput = FileHandle.nullDevice
        } else {
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    /// Reads standard output until a line contains `marker`; fails after `timeout`.
    func waitForLine(containing marker: String, timeout: Duration = .seconds(10)) throws -> String {
        let deadline = ContinuousClock.now + timeout
        let handle = output.fileHandleForReading
        var buffer = Data()
        while ContinuousClock.now < deadline {
            var readable = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&readable, 1, 100) > 0 {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                captured.withLockedValue { $0.append(chunk) }
                let text = String(decoding: buffer, as: UTF8.self)
                if let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            }
        }
        stop()
        throw PeerError.notReady(String(decoding: buffer, as: UTF8.self))
    }

    /// Keeps reading the watched stream in the background from now on, so that a chatty
    /// process (proxyd at `--log-level debug`) never blocks on a full pipe, and so that a test
    /// can look at everything it wrote (``capturedOutput``). Call after ``waitForLine``.
    func captureOutput() {
        let captured = self.captured
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            captured.withLockedValue { $0.append(chunk) }
        }
    }

    /// What the watched stream carried so far (with ``captureOutput()``, up to now).
    var capturedOutput: String {
        captured.withLockedValue { String(decoding: $0, as: UTF8.self) }
    }

    /// Kills it at once, as ECS kills a task.
    func kill9() {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after a grace period.
    func stop(grace: Duration = .seconds(2)) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop(grace: .milliseconds(200)) }

    enum PeerError: Error, CustomStringConvertible {
        case notReady(String)
    }
}

extension PeerProcess.PeerError {
    var description: String {
        switch self {
        case .notReady(let output): "peer did not become ready; output so far: \(output)"
        }
    }
}
