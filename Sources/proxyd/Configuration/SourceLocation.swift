/// Where a configuration value came from, so that every complaint about it can point an
/// operator at the exact spot: `proxyd.yaml:12:7` or `haproxy.cfg:31`.
struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    var file: String
    var line: Int
    /// The column, when the format has a meaningful one (YAML does; haproxy.cfg is line-based).
    var column: Int?

    var description: String {
        if let column { return "\(file):\(line):\(column)" }
        return "\(file):\(line)"
    }
}

/// One finding about a configuration file: an error refuses the file, a warning is printed by
/// `proxyd check` and logged at start but does not.
struct ConfigurationDiagnostic: Sendable, Hashable, CustomStringConvertible {
    enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    var severity: Severity
    var location: SourceLocation
    var message: String

    var description: String { "\(location): \(severity.rawValue): \(message)" }

    static func error(_ message: String, at location: SourceLocation) -> Self {
        .init(severity: .error, location: location, message: message)
    }

    static func warning(_ message: String, at location: SourceLocation) -> Self {
        .init(severity: .warning, location: location, message: message)
    }
}

/// A configuration that cannot be used, with every error found (not just the first), so that
/// one `proxyd check` run shows an operator everything to fix.
struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    var diagnostics: [ConfigurationDiagnostic]

    var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
