import ArgumentParser

/// The `proxyd` command line. `run`, `demo` and `convert` join `check` as the daemon lands.
@main
struct ProxydCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxyd",
        abstract: "A reverse proxy with DNS SRV service discovery built in.",
        version: "0.1.0-dev",
        subcommands: [CheckCommand.self, HelloBackendCommand.self]
    )
}
