import ArgumentParser
import Foundation
import NIOPosix

/// `proxyd hello-backend`: one demo task as its own process, for end-to-end tests that need
/// to kill a task the way ECS does (SIGKILL). Prints `listening on HOST:PORT` once bound.
struct HelloBackendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hello-backend",
        abstract: "Run one demo 'hello' task (for tests and experiments).",
        shouldDisplay: false
    )

    @Option(help: "Address to listen on (port 0: any free port).")
    var bind: String = "127.0.0.1:0"

    @Option(help: "The task name the pages show.")
    var name: String = "task"

    func run() async throws {
        let address = try BindAddress(parsing: bind)
        let backend = try await HelloBackend.start(name: name, host: address.host, port: address.port, group: MultiThreadedEventLoopGroup.singleton)
        // Written unbuffered: the test reading this line waits for it.
        FileHandle.standardOutput.write(Data("listening on \(address.host):\(backend.port)\n".utf8))
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
