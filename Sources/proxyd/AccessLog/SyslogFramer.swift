#if canImport(Glibc)
import Glibc
#endif

/// Builds the bytes HAProxy 2.6 sends for one log message (`build_log_header` and
/// `__do_send_log` in its `src/log.c`), so that what reads HAProxy's logs reads proxyd's:
///
/// | format | bytes |
/// |---|---|
/// | (none) | `<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG` — RFC 3164 without the hostname |
/// | `rfc3164` | `<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG` (HOST `localhost` when not sent) |
/// | `rfc5424` | `<PRI>1 YYYY-MM-DDThh:mm:ss.uuuuuu+hh:mm HOST TAG PID - - MSG` (HOST `-` when not sent) |
/// | `priority` | `<PRI>MSG` |
/// | `short` | `<LEVEL>MSG` |
/// | `timed` | `<LEVEL>YYYY-MM-DDThh:mm:ss.uuuuuu+hh:mm MSG` |
/// | `iso` | `YYYY-MM-DDThh:mm:ss.uuuuuu+hh:mm MSG` |
/// | `raw` | `MSG` |
///
/// PRI is facility × 8 + level (RFC 5424 §6.2.1); times are local, as HAProxy writes them; the
/// day of an RFC 3164 date is padded with a space (`Dec  6`). With `log-send-hostname`, a
/// target without a format gets `rfc3164`. Every message ends with one line feed. A datagram
/// is cut to `len` bytes before its line feed; a line to stdout/stderr to `len` bytes with it
/// (HAProxy's `fd_write_frag_line` keeps one byte for it).
struct SyslogFramer: Sendable {
    /// What names the sender in each header.
    struct Identity: Sendable, Hashable {
        /// `log-tag`; HAProxy's default is its program name, proxyd's is `proxyd`.
        var tag = "proxyd"
        var pid: Int32
        /// `log-send-hostname`; nil: not sent.
        var hostname: String?
    }

    /// A wall-clock instant with the local time zone's offset at that instant.
    struct LocalInstant: Sendable, Hashable {
        var microsSinceEpoch: Int64
        var utcOffsetSeconds: Int

        /// Now, in the process's time zone (`TZ`, `/etc/localtime`).
        static func now() -> LocalInstant {
            var spec = timespec()
            clock_gettime(CLOCK_REALTIME, &spec)
            var seconds = spec.tv_sec
            var parts = tm()
            localtime_r(&seconds, &parts)
            return LocalInstant(microsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000, utcOffsetSeconds: parts.tm_gmtoff)
        }
    }

    let identity: Identity

    /// Appends the framed message, line feed included, to `bytes`.
    func frame(_ message: String, level: SyslogTarget.Level, for target: SyslogTarget, at instant: LocalInstant, into bytes: inout [UInt8]) {
        let start = bytes.count
        let header = self.header(level: level, facility: target.facility, format: target.format, at: instant)
        bytes.append(contentsOf: header.utf8)
        bytes.append(contentsOf: message.utf8)
        let limit: Int
        switch target.address {
        case .standardOutput, .standardError: limit = target.maxLength - 1
        case .unix, .udp: limit = target.maxLength
        }
        if bytes.count - start > limit { bytes.removeLast(bytes.count - start - limit) }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Everything before the message.
    func header(level: SyslogTarget.Level, facility: SyslogTarget.Facility, format: SyslogTarget.Format?, at instant: LocalInstant) -> String {
        let format = format ?? (identity.hostname == nil ? .local : .rfc3164)
        let pri = "<\(facility.code * 8 + level.code)>"
        switch format {
        case .local:
            return pri + Self.legacyTime(instant) + tagAndPID
        case .rfc3164:
            return pri + Self.legacyTime(instant) + (identity.hostname ?? "localhost") + " " + tagAndPID
        case .rfc5424:
            let tag = identity.tag.isEmpty ? "-" : identity.tag
            return pri + "1 " + Self.isoTime(instant) + " " + (identity.hostname ?? "-") + " " + tag + " \(identity.pid) - - "
        case .priority:
            return pri
        case .short:
            return "<\(level.code)>"
        case .timed:
            return "<\(level.code)>" + Self.isoTime(instant) + " "
        case .iso:
            return Self.isoTime(instant) + " "
        case .raw:
            return ""
        }
    }

    private var tagAndPID: String { identity.tag.isEmpty ? "" : "\(identity.tag)[\(identity.pid)]: " }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Dec  6 02:53:50 ` (RFC 3164 §4.1.2, with its trailing space).
    static func legacyTime(_ instant: LocalInstant) -> String {
        let t = CivilTime(microsSinceEpoch: instant.microsSinceEpoch + Int64(instant.utcOffsetSeconds) * 1_000_000)
        let day = t.day < 10 ? " \(t.day)" : "\(t.day)"
        return "\(months[t.month - 1]) \(day) \(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)) "
    }

    /// `2026-12-06T02:54:07.910788+00:00` (RFC 5424 §6.2.3; HAProxy's `timeofday_as_iso_us`).
    static func isoTime(_ instant: LocalInstant) -> String {
        let local = instant.microsSinceEpoch + Int64(instant.utcOffsetSeconds) * 1_000_000
        let t = CivilTime(microsSinceEpoch: local)
        let micros = Int(local.quotientAndRemainderFloored(dividingBy: 1_000_000).remainder)
        let offset = abs(instant.utcOffsetSeconds) / 60
        let sign = instant.utcOffsetSeconds < 0 ? "-" : "+"
        return "\(t.year)-\(pad(t.month, 2))-\(pad(t.day, 2))T\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(micros, 6))\(sign)\(pad(offset / 60, 2)):\(pad(offset % 60, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
