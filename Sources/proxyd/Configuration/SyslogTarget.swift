/// One place log lines are sent to, as HAProxy's `log` line names it:
/// `log TARGET [len N] [format F] FACILITY [LEVEL [MINLEVEL]]` (HAProxy 2.6 manual, "log" in
/// sections 3.1 and 4.2).
///
/// A message of severity `s` is sent when `s` is at least as severe as ``level`` (its number is
/// not larger); a message more severe than ``minimumLevel`` is sent at that level (so that an
/// `emerg` does not reach every terminal) — the `MAX(level, minlvl)` of HAProxy's
/// `process_send_log`.
struct SyslogTarget: Sendable, Hashable {
    /// Where the datagrams (or lines) go.
    enum Address: Sendable, Hashable, CustomStringConvertible {
        /// A Unix datagram socket: `/dev/log` (journald, rsyslog) or any other path.
        case unix(path: String)
        /// A syslog server over UDP; `host` is a numeric IPv4 or IPv6 address.
        case udp(host: String, port: Int)
        /// proxyd's standard output or standard error, one line per message (HAProxy's
        /// `stdout` / `stderr`, aliases of `fd@1` / `fd@2`).
        case standardOutput
        case standardError

        /// As HAProxy writes it on a `log` line.
        var description: String {
            switch self {
            case .unix(let path): path
            case .udp(let host, let port): host.contains(":") ? "udp6@[\(host)]:\(port)" : "\(host):\(port)"
            case .standardOutput: "stdout"
            case .standardError: "stderr"
            }
        }
    }

    /// HAProxy's header formats (`format NAME`). When none is named, HAProxy sends ``local``
    /// (RFC 3164 without the hostname), or ``rfc3164`` when `log-send-hostname` is set.
    enum Format: String, Sendable, Hashable, CaseIterable {
        case local, rfc3164, rfc5424, priority, short, timed, iso, raw
    }

    /// Syslog facilities by HAProxy's names, numbered as RFC 5424 §6.2.1 (HAProxy's table
    /// calls 10 `auth2`, 14 `alert` and 15 `cron2`).
    enum Facility: String, Sendable, Hashable, CaseIterable {
        case kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit, alert, cron2
        case local0, local1, local2, local3, local4, local5, local6, local7

        /// 0 (`kern`) to 23 (`local7`).
        var code: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    }

    /// Severities by HAProxy's names, 0 (`emerg`) to 7 (`debug`) as RFC 5424 §6.2.1.
    enum Level: String, Sendable, Hashable, CaseIterable, Comparable {
        case emerg, alert, crit, err, warning, notice, info, debug

        var code: Int { Self.allCases.firstIndex(of: self) ?? 7 }

        /// More severe is smaller, as the numbers go.
        static func < (a: Level, b: Level) -> Bool { a.code < b.code }
    }

    var address: Address
    /// The longest datagram or line, header included (`len`, 80…65535, default 1024); longer
    /// messages are cut, then the line feed is added as HAProxy does.
    var maxLength = 1024
    /// nil: not named on the line (see ``Format``).
    var format: Format?
    var facility: Facility
    /// The least severe level sent (default `debug`: everything).
    var level: Level = .debug
    /// Messages more severe than this are sent at this level (default `emerg`: unchanged).
    var minimumLevel: Level = .emerg

    /// The level a message of severity `severity` is sent at, or nil when this target takes
    /// no message that mild.
    func sendingLevel(for severity: Level) -> Level? {
        guard severity <= level else { return nil }
        return max(severity, minimumLevel)
    }

    /// The shortest and longest `len` HAProxy accepts.
    static let lengthRange = 80...65_535
}
