/// Sending access log lines to syslog (haproxy.cfg `log` lines with `log-tag` and
/// `log-send-hostname`; YAML `access_log.syslog`). When set, every access line goes to each
/// target whose level takes `info`, instead of the access log file or standard output.
struct SyslogConfiguration: Sendable, Hashable {
    /// `log-send-hostname` with or without a name.
    enum Hostname: Sendable, Hashable {
        /// The machine's host name (`gethostname`), read at start.
        case system
        case named(String)
    }

    var targets: [SyslogTarget] = []
    /// `log-tag`: the program name in each header.
    var tag = "proxyd"
    /// nil: no host name in the header (HAProxy's default).
    var hostname: Hostname?
}
