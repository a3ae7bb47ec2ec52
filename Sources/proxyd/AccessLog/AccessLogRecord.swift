/// Everything logged about one proxied request, gathered by the forwarding pipeline and
/// written by an ``AccessLogFormat`` once the response has been sent.
///
/// Timers follow HAProxy's `httplog` definitions so that operators' dashboards and log
/// parsers keep working: -1 means "did not happen" (for example no connect on a reused
/// connection would be 0, a request answered by a redirect has no connect at all).
struct AccessLogRecord: Sendable, Equatable {
    var clientAddress: String
    var clientPort: Int
    /// When the first byte of the request arrived, in microseconds since the Unix epoch.
    var acceptedAtMicros: Int64
    var listener: String
    var isTLS: Bool
    /// The backend, or `<NOSRV>` when the proxy answered itself (redirect, error).
    var backend: String?
    /// The endpoint that answered (`10.0.1.7:32768`), nil when none was used.
    var endpoint: String?
    /// `TR`: milliseconds to receive the full request head.
    var requestHeadMillis: Int
    /// `Tw`: milliseconds spent waiting for a connection slot.
    var queueMillis: Int
    /// `Tc`: milliseconds to connect to the endpoint.
    var connectMillis: Int
    /// `Tr`: milliseconds from sending the request to receiving the response head.
    var responseMillis: Int
    /// `Ta`: total active milliseconds, request head to last response byte.
    var totalMillis: Int
    var status: Int
    /// Response bytes sent to the client, head included.
    var bytesSent: Int
    /// HAProxy's two-character termination state (`--` normal, `CD` client aborted during
    /// data, `sH` server timeout on headers, `SC` server refused connect…), padded to four
    /// with the persistence flags (`--`) as HAProxy prints it.
    var terminationState: String
    var retries: Int
    /// The request line as received: method, target, version.
    var method: String
    var target: String
    var version: String
}

/// The access log line formats.
enum AccessLogFormat: Sendable {
    case httplog
    case json

    func format(_ record: AccessLogRecord) -> String {
        switch self {
        case .httplog: Self.httplog(record)
        case .json: Self.json(record)
        }
    }

    /// HAProxy's `option httplog` line without the syslog prefix:
    /// `10.0.1.2:33317 [06/Feb/2009:12:14:14.655] https~ hello/10.0.1.7:32768 10/0/30/69/109 200 2750 - - ---- 0/0/0/0/0 0/0 "GET /index.html HTTP/1.1"`.
    /// The connection counters (actconn/feconn/beconn/srv_conn) are written as 0: proxyd keeps
    /// them per event loop, in the metrics, not per log line; `retries` is real.
    static func httplog(_ r: AccessLogRecord) -> String {
        let frontend = r.isTLS ? "\(r.listener)~" : r.listener
        let server = "\(r.backend ?? "<NOSRV>")/\(r.endpoint ?? "<NOSRV>")"
        let timers = "\(r.requestHeadMillis)/\(r.queueMillis)/\(r.connectMillis)/\(r.responseMillis)/\(r.totalMillis)"
        // A request the parser refused has no line: HAProxy prints just "<BADREQ>".
        let requestLine = r.target.isEmpty && r.version.isEmpty ? r.method : "\(r.method) \(r.target) \(r.version)"
        return "\(r.clientAddress):\(r.clientPort) [\(httplogDate(r.acceptedAtMicros))] \(frontend) \(server) \(timers) \(r.status) \(r.bytesSent) - - \(r.terminationState) 0/0/0/0/\(r.retries) 0/0 \"\(escapedForLog(requestLine))\""
    }

    /// One JSON object per line, keys in a fixed order, times in milliseconds.
    static func json(_ r: AccessLogRecord) -> String {
        var fields: [(String, String)] = [
            ("time", quoted(iso8601(r.acceptedAtMicros))),
            ("client", quoted("\(r.clientAddress):\(r.clientPort)")),
            ("listener", quoted(r.listener)),
            ("tls", r.isTLS ? "true" : "false"),
            ("backend", r.backend.map(quoted) ?? "null"),
            ("endpoint", r.endpoint.map(quoted) ?? "null"),
            ("method", quoted(r.method)),
            ("target", quoted(r.target)),
            ("version", quoted(r.version)),
            ("status", String(r.status)),
            ("bytes", String(r.bytesSent)),
        ]
        fields += [
            ("request_head_ms", String(r.requestHeadMillis)), ("queue_ms", String(r.queueMillis)),
            ("connect_ms", String(r.connectMillis)), ("response_ms", String(r.responseMillis)),
            ("total_ms", String(r.totalMillis)), ("retries", String(r.retries)),
            ("termination", quoted(r.terminationState)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Escapes what would break a log line or fool a log reader: control characters and the
    /// double quote become `#XX`, as HAProxy does for captured request lines.
    static func escapedForLog(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "#") {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "#" + (hex.count == 1 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }

    /// `06/Feb/2009:12:14:14.655` in UTC.
    static func httplogDate(_ micros: Int64) -> String {
        let t = CivilTime(microsSinceEpoch: micros)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(pad(t.day, 2))/\(months[t.month - 1])/\(t.year):\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.millisecond, 3))"
    }

    /// `2009-02-06T12:14:14.655Z`.
    static func iso8601(_ micros: Int64) -> String {
        let t = CivilTime(microsSinceEpoch: micros)
        return "\(t.year)-\(pad(t.month, 2))-\(pad(t.day, 2))T\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.millisecond, 3))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

/// A UTC calendar time from a Unix timestamp, without Foundation's formatters (which are slow
/// and locale-dependent on a per-request path). Days to civil date after Howard Hinnant's
/// `civil_from_days` algorithm.
struct CivilTime: Equatable {
    var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

    init(microsSinceEpoch micros: Int64) {
        let millis = Int(micros.quotientAndRemainderFloored(dividingBy: 1_000).quotient)
        let (days, msOfDay) = millis.quotientAndRemainderFloored(dividingBy: 86_400_000)
        hour = msOfDay / 3_600_000
        minute = msOfDay / 60_000 % 60
        second = msOfDay / 1_000 % 60
        millisecond = msOfDay % 1_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}

extension BinaryInteger {
    /// Division rounding toward negative infinity, so times before 1970 format correctly.
    func quotientAndRemainderFloored(dividingBy divisor: Self) -> (quotient: Self, remainder: Self) {
        var (q, r) = quotientAndRemainder(dividingBy: divisor)
        if r < 0 { q -= 1; r += divisor }
        return (q, r)
    }
}
