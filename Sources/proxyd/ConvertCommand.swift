import ArgumentParser
import Foundation

/// `proxyd convert FILE`: prints the native YAML equivalent of a configuration (typically a
/// haproxy.cfg), every default spelled out.
///
/// The YAML goes to standard output and the translation's warnings (directives accepted without
/// effect, merged values) to standard error, so `proxyd convert haproxy.cfg > proxyd.yaml` keeps
/// only the configuration. A file that does not translate exits 1 with one `file:line: error:`
/// line per problem and prints no YAML.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Print the proxyd YAML equivalent of a configuration file (haproxy.cfg or YAML)."
    )

    @Argument(help: "The configuration file to convert (haproxy.cfg, *.cfg, or *.yaml).")
    var file: String

    func run() throws {
        let loaded = try loadConfigurationOrExit(file)
        var standardError = StandardError()
        for warning in loaded.warnings { print(warning.description, to: &standardError) }
        print(try ConfigurationYAMLWriter.yaml(for: loaded.configuration), terminator: "")
    }
}
