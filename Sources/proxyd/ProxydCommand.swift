import ArgumentParser

/// The `proxyd` command line. Subcommands (`run`, `check`, `demo`, `convert`) arrive with the
/// daemon issue; until then the binary only reports its version.
@main
struct ProxydCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxyd",
        abstract: "A reverse proxy with DNS SRV service discovery built in.",
        version: "0.1.0-dev"
    )
}
