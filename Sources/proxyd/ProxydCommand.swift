import ArgumentParser

/// The `proxyd` command line. `run` and `demo` join `check` and `convert` as the daemon lands.
struct ProxydCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxyd",
        abstract: "A reverse proxy with DNS SRV service discovery built in.",
        version: BuildInfo.version,
        subcommands: [RunCommand.self, DemoCommand.self, CheckCommand.self, ConvertCommand.self, HelloBackendCommand.self, VersionCommand.self]
    )
}
