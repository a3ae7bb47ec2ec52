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
    /// While nothing is readable the task sleeps rather than blocking in `poll`: every
    /// end-to-end suite starts its peers at once, and blocking waits for their start-up lines
    /// held both cooperative threads for seconds, stalling the timing of other suites.
    func waitForLine(containing marker: String, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        let handle = output.fileHandleForReading
        var buffer = Data()
        while ContinuousClock.now < deadline {
            var readable = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 0) > 0 else {
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            captured.withLockedValue { $0.append(chunk) }
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
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

    /// SIGTERM now, then SIGKILL after a grace period if it is still running.
    ///
    /// The wait happens on a thread of its own (``PeerReaper``), not here: `stop()` runs in
    /// the `defer` of async tests, on one of the two cooperative threads, and a proxyd still
    /// holding a test's half-sent request waits out the grace period. Several suites ending
    /// tests at once held both threads for seconds, and the timing tests of other suites
    /// measured those seconds.
    func stop(grace: Duration = .seconds(2)) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        PeerReaper.reap(process, grace: grace)
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

/// Waits for stopped peers on threads of their own, escalating to SIGKILL after their grace
/// period, and kills any still running when the test process exits: every peer a test starts
/// is stopped by PID, even when the test process ends first.
enum PeerReaper {
    /// PIDs asked to stop whose exit has not been seen yet.
    fileprivate static let pending = NIOLockedValueBox(Set<pid_t>())

    private static let killAtExit: Void = {
        atexit {
            for pid in PeerReaper.pending.withLockedValue({ $0 }) { kill(pid, SIGKILL) }
        }
    }()

    /// `process` has been sent SIGTERM.
    static func reap(_ process: Process, grace: Duration) {
        _ = killAtExit
        let pid = process.processIdentifier
        pending.withLockedValue { _ = $0.insert(pid) }
        let box = ProcessHandle(process: process)
        let thread = Thread {
            let deadline = ContinuousClock.now + grace
            while box.process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if box.process.isRunning { kill(pid, SIGKILL) }
            box.process.waitUntilExit()
            pending.withLockedValue { _ = $0.remove(pid) }
        }
        thread.start()
    }
}
