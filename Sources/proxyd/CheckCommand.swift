import ArgumentParser
import Foundation
import Logging

/// `proxyd check --config FILE`: validates a configuration (YAML or haproxy.cfg) without
/// running it.
///
/// Prints what the file resolved to (the native YAML with every default filled in) and its
/// warnings; on any error prints one `file:line:column: error: …` line per problem to standard
/// error and exits 1, so it can gate a deploy or a reload.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file and print what it resolves to."
    )

    @Option(name: .shortAndLong, help: "The configuration file: proxyd YAML (*.yaml, *.yml) or haproxy.cfg (*.cfg).")
    var config: String

    @Flag(name: .shortAndLong, help: "Print only problems, not the resolved configuration.")
    var quiet = false

    func run() throws {
        let loaded = try loadConfigurationOrExit(config)
        var standardError = StandardError()
        // Certificates are part of the configuration: a missing or broken file must fail
        // `check`, not only `run`.
        var certificateErrors = 0
        for listener in loaded.configuration.listeners {
            guard let tls = listener.tls else { continue }
            do {
                _ = try ListenerTLS.context(for: tls, logger: Logger(label: "proxyd.check", factory: { _ in SwiftLogNoOpLogHandler() }))
            } catch {
                print("\(listener.location): error: listener '\(listener.name)': \(error)", to: &standardError)
                certificateErrors += 1
            }
        }
        if certificateErrors > 0 { throw ExitCode(1) }
        for warning in loaded.warnings { print(warning.description, to: &standardError) }
        if !quiet {
            print(try ConfigurationYAMLWriter.yaml(for: loaded.configuration), terminator: "")
        }
        print("\(config): configuration is valid", to: &standardError)
    }
}

