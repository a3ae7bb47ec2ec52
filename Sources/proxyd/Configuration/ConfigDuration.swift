/// Parses the durations written in configuration files.
///
/// YAML durations must carry a unit (`250ms`, `5s`, `1m`, `2h`, `1d`): a bare number is refused,
/// because the two languages proxyd reads disagree on its meaning (HAProxy reads a bare number
/// as milliseconds). The haproxy.cfg reader passes `defaultUnit: .milliseconds` to keep
/// HAProxy's rule.
enum ConfigDuration {
    enum Unit: Sendable {
        case milliseconds
    }

    /// Why a duration was refused, worded for the operator.
    enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case missingUnit(String)
        case unknownUnit(String)
        case notANumber(String)
        case tooLarge(String)

        var description: String {
            switch self {
            case .empty: "a duration is empty"
            case .missingUnit(let text): "duration '\(text)' needs a unit: us, ms, s, m, h or d (e.g. '\(text)s')"
            case .unknownUnit(let text): "duration '\(text)' has an unknown unit; use us, ms, s, m, h or d"
            case .notANumber(let text): "duration '\(text)' does not start with a whole number"
            case .tooLarge(let text): "duration '\(text)' is too large"
            }
        }
    }

    static func parse(_ text: String, defaultUnit: Unit? = nil) throws(ParseError) -> Duration {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let value = Int64(digits) else {
            throw digits.isEmpty ? .notANumber(trimmed) : .tooLarge(trimmed)
        }
        let unit = trimmed.dropFirst(digits.count)
        let multiplierInMicroseconds: Int64
        switch unit {
        case "": 
            guard defaultUnit != nil else { throw .missingUnit(trimmed) }
            multiplierInMicroseconds = 1_000
        case "us": multiplierInMicroseconds = 1
        case "ms": multiplierInMicroseconds = 1_000
        case "s": multiplierInMicroseconds = 1_000_000
        case "m": multiplierInMicroseconds = 60_000_000
        case "h": multiplierInMicroseconds = 3_600_000_000
        case "d": multiplierInMicroseconds = 86_400_000_000
        default: throw .unknownUnit(trimmed)
        }
        let (micros, overflow) = value.multipliedReportingOverflow(by: multiplierInMicroseconds)
        guard !overflow else { throw .tooLarge(trimmed) }
        return .microseconds(micros)
    }

    /// The shortest exact text for a duration, as `proxyd check` and `proxyd convert` print it.
    static func format(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        for (unit, size) in [("d", Int64(86_400_000_000)), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1_000)]
        where micros != 0 && micros % size == 0 {
            return "\(micros / size)\(unit)"
        }
        return "\(micros)us"
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (Foundation-free).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
