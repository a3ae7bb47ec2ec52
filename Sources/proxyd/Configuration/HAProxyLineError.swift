/// What is wrong with one haproxy.cfg line: the readers throw it from deep inside a directive
/// and the section reader reports it at the line, so that every message carries `file:line`.
struct HAProxyLineError: Error, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}

extension ConfigurationDiagnostics {
    /// The location of a haproxy.cfg line (the format has no meaningful column).
    func location(line: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: nil) }

    func error(_ message: String, line: Int) { error(message, at: location(line: line)) }
    func warning(_ message: String, line: Int) { warning(message, at: location(line: line)) }
}
