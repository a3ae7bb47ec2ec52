import Foundation

/// One `HelloTask` process standing in for an ECS task: started from the package's build
/// folder, ready once it printed its port, killed with SIGKILL the way ECS kills a task, and
/// stopped by PID at the end of the test. (proxyd's own tests have a fuller PeerProcess in
/// their target; this package sees only PeerHarness.)
final class TaskProcess: @unchecked Sendable {
    // @unchecked: `process` and `port` are set once in start; Process is thread-safe for
    // the calls made here (isRunning, kill by pid, waitUntilExit).
    let process: Process
    let port: Int
    let name: String

    private init(process: Process, port: Int, name: String) {
        self.process = process
        self.port = port
        self.name = name
    }

    enum Failure: Error, CustomStringConvertible {
        case missingExecutable(String)
        case notReady(name: String, output: String)

        var description: String {
            switch self {
            case .missingExecutable(let path): "\(path) not found: build the package's HelloTask product first (swift build)"
            case .notReady(let name, let output): "\(name) printed no port within 10 s; output: \(output)"
            }
        }
    }

    /// The build folder the test binary runs from, where SwiftPM also put `HelloTask`.
    static var buildFolder: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// Starts `HelloTask --name NAME` and waits for its `listening on 127.0.0.1:PORT` line.
    static func start(name: String) async throws -> TaskProcess {
        let executable = buildFolder.appendingPathComponent("HelloTask")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure.missingExecutable(executable.path)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--name", name]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        var text = ""
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            var readable = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 0) > 0 else {
                // Sleep rather than block in poll: the cooperative pool has one thread per core.
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                return TaskProcess(process: process, port: port, name: name)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw Failure.notReady(name: name, output: text)
    }

    /// SIGKILL, as ECS stops a task that ignores SIGTERM (or crashes): no goodbye on the wire
    /// beyond what the kernel sends for the closed sockets.
    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { kill9() }
}
