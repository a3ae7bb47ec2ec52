/// Why a resolv.conf file could not be used, with the file and 1-based line it concerns.
public struct ResolvConfError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What exactly was wrong.
    public enum Reason: Sendable, Hashable {
        /// The file could not be read (line is 0); carries the system's description.
        case unreadable(String)
        /// A keyword that needs a value had none (`nameserver` alone on its line).
        case missingValue(keyword: String)
        /// A `nameserver` value that is not an IPv4 or IPv6 literal.
        case invalidNameserver(String)
        /// An `options` value that is not a number in range (`ndots:x`, `timeout:0`, `attempts:`).
        case invalidOptionValue(option: String, value: String)
    }

    /// The file path or label the text came from.
    public var source: String
    /// The 1-based line number, or 0 when the whole file is concerned.
    public var line: Int
    /// What was wrong on that line.
    public var reason: Reason

    /// Creates an error for `source` at `line`.
    public init(source: String, line: Int, reason: Reason) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    /// `file:line: what` as a person reads it in a log.
    public var description: String {
        let what: String
        switch reason {
        case .unreadable(let detail): what = "cannot read: \(detail)"
        case .missingValue(let keyword): what = "'\(keyword)' needs a value"
        case .invalidNameserver(let value): what = "nameserver '\(value)' is not an IPv4 or IPv6 address"
        case .invalidOptionValue(let option, let value): what = "option '\(option)' has an invalid value '\(value)'"
        }
        return "\(source):\(line): \(what)"
    }
}
