#if canImport(Glibc)
import Glibc
#endif

/// Reads HAProxy's logging directives: `log`, `log-tag` and `log-send-hostname` in `global`;
/// `log TARGET …`, `log global` and `no log` in proxy sections (with `option httplog` and
/// `option dontlognull`, read by ``HAProxyProxyReader``); then decides proxyd's one access log.
///
/// HAProxy sends a request's line to its frontend's targets. proxyd writes one access log for
/// the process, so every frontend must log alike (same targets, `option httplog`,
/// `option dontlognull`); a difference is refused at the frontend that differs rather than
/// applied wrongly. Global `log` lines reach requests only through `log global`, as in HAProxy.
struct HAProxyLogReader {
    let diagnostics: ConfigurationDiagnostics

    typealias LocatedTarget = HAProxyProxySettings.Located<SyslogTarget>

    /// What the `global` section says about logging.
    struct GlobalLog: Sendable, Hashable {
        var targets: [LocatedTarget] = []
        var tag = "proxyd"
        var hostname: SyslogConfiguration.Hostname?
    }

    // MARK: global

    func readGlobal(_ sections: [HAProxySection]) -> GlobalLog {
        var global = GlobalLog()
        for section in sections {
            for line in section.directives {
                let arguments = Array(line.arguments)
                do throws(HAProxyLineError) {
                    switch line.keyword {
                    case "log":
                        if arguments == ["global"] {
                            throw HAProxyLineError("'log global' is for defaults, frontend, backend and listen sections; in global, name a target: log /dev/log local0")
                        }
                        global.targets.append(.init(value: try Self.target(arguments, inProxy: false), line: line.number))
                    case "log-tag":
                        guard arguments.count == 1, let tag = arguments.first, !tag.isEmpty else { throw HAProxyLineError("log-tag needs one value, e.g. log-tag proxyd") }
                        global.tag = tag
                    case "log-send-hostname":
                        guard arguments.count <= 1 else { throw HAProxyLineError("log-send-hostname takes at most one name, found \(arguments.count)") }
                        global.hostname = arguments.first.map { .named($0) } ?? .system
                    default:
                        continue
                    }
                } catch {
                    diagnostics.error(error.message, line: line.number)
                }
            }
        }
        return global
    }

    // MARK: proxy sections

    /// `log global`, `log TARGET …` in a defaults, frontend, backend or listen section.
    static func proxyLog(_ arguments: [String], line: Int, global: GlobalLog, into settings: inout HAProxyProxySettings) throws(HAProxyLineError) {
        if arguments == ["global"] {
            // HAProxy copies the global targets once, however often `log global` is written.
            for target in global.targets where !settings.logTargets.contains(where: { $0.value == target.value }) {
                settings.logTargets.append(.init(value: target.value, line: line))
            }
            return
        }
        settings.logTargets.append(.init(value: try target(arguments, inProxy: true), line: line))
    }

    /// `no log`: forget the targets inherited or written so far.
    static func noLog(_ arguments: ArraySlice<String>, into settings: inout HAProxyProxySettings) throws(HAProxyLineError) {
        guard arguments.isEmpty else { throw HAProxyLineError("'no log' does not expect arguments") }
        settings.logTargets.removeAll()
    }

    // MARK: the access log

    /// Sets `configuration.accessLog` from the frontends' logging settings. Without any `log`
    /// target, `option httplog` keeps writing to standard output (proxyd's default).
    func build(_ proxies: [HAProxyProxy], global: GlobalLog, into configuration: inout ProxyConfiguration) {
        struct Profile: Equatable {
            var targets: [SyslogTarget]
            var httpLog: Bool
            var dontLogNull: Bool
        }
        let fronts = proxies.filter { $0.section.kind == .frontend || ($0.section.kind == .listen && !$0.binds.isEmpty) }
        var chosen: (profile: Profile, proxy: HAProxyProxy)?
        for proxy in fronts {
            let settings = proxy.settings
            if !settings.logTargets.isEmpty && !settings.httpLog {
                diagnostics.error("\(proxy.section.label) logs to syslog without 'option httplog': HAProxy would send its 'Connect from' lines, which proxyd does not write; add 'option httplog' (or 'no log')", line: settings.logTargets[0].line)
                continue
            }
            let profile = Profile(targets: settings.logTargets.map(\.value), httpLog: settings.httpLog, dontLogNull: settings.dontLogNull)
            guard let first = chosen else {
                chosen = (profile, proxy)
                continue
            }
            if first.profile != profile {
                let what = first.profile.targets != profile.targets ? "its log targets" : first.profile.httpLog != profile.httpLog ? "option httplog" : "option dontlognull"
                diagnostics.error("\(proxy.section.label) logs differently from \(first.proxy.section.label) (\(what)): proxyd writes one access log for every listener; give both the same log lines and options", line: proxy.section.line)
            }
        }
        guard let profile = chosen?.profile, profile.httpLog else { return }
        var log = AccessLogConfiguration(format: .httplog, path: nil)
        if !profile.targets.isEmpty {
            log.syslog = SyslogConfiguration(targets: profile.targets, tag: global.tag, hostname: global.hostname)
            log.logNullConnections = !profile.dontLogNull
        }
        configuration.accessLog = log
    }

    // MARK: the log line

    /// `TARGET [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`, in HAProxy's order
    /// (`parse_logsrv`).
    static func target(_ arguments: [String], inProxy: Bool) throws(HAProxyLineError) -> SyslogTarget {
        guard arguments.count >= 2 else {
            throw HAProxyLineError("log needs a target and a facility, e.g. log /dev/log local0\(inProxy ? ", or 'log global'" : "")")
        }
        let address = try Self.address(arguments[0])
        var rest = arguments.dropFirst()
        var maxLength = 1024
        var format: SyslogTarget.Format?
        if rest.first == "len" {
            rest = rest.dropFirst()
            guard let text = rest.popFirst(), let value = Int(text), SyslogTarget.lengthRange.contains(value) else {
                throw HAProxyLineError("invalid log length '\(arguments.dropFirst(2).first ?? "")', must be between 80 and 65535")
            }
            maxLength = value
        }
        if rest.first == "format" {
            rest = rest.dropFirst()
            let name = rest.popFirst() ?? ""
            guard let value = SyslogTarget.Format(rawValue: name) else {
                throw HAProxyLineError("unknown log format '\(name)'; HAProxy knows \(SyslogTarget.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            format = value
        }
        if rest.first == "sample" {
            throw HAProxyLineError("log sampling ('sample') is not supported: proxyd sends every line to each target")
        }
        guard let facilityName = rest.popFirst() else { throw HAProxyLineError("log needs a facility after the target's options, e.g. local0") }
        guard let facility = SyslogTarget.Facility(rawValue: facilityName) else {
            throw HAProxyLineError("unknown log facility '\(facilityName)'; HAProxy knows \(SyslogTarget.Facility.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var target = SyslogTarget(address: address, maxLength: maxLength, format: format, facility: facility)
        if let name = rest.popFirst() {
            guard let level = SyslogTarget.Level(rawValue: name) else { throw HAProxyLineError("unknown log level '\(name)'; HAProxy knows \(levelNames)") }
            target.level = level
        }
        if let name = rest.popFirst() {
            guard let level = SyslogTarget.Level(rawValue: name) else { throw HAProxyLineError("unknown minimum log level '\(name)'; HAProxy knows \(levelNames)") }
            target.minimumLevel = level
        }
        if let extra = rest.first { throw HAProxyLineError("unexpected '\(extra)' after the log levels") }
        return target
    }

    private static var levelNames: String { SyslogTarget.Level.allCases.map(\.rawValue).joined(separator: ", ") }

    /// A log target's address as HAProxy writes it: `/dev/log` (any absolute path) or
    /// `unix@PATH` / `uxdg@PATH`; `ADDR[:PORT]`, `udp@`, `udp4@`, `udp6@`, `ipv4@`, `ipv6@`
    /// (port 514 when none is written; IPv6 as `[::1]:514` or `ipv6@::1:514`); `stdout`,
    /// `stderr`, `fd@1`, `fd@2`. What proxyd cannot send to is refused with the reason.
    static func address(_ text: String) throws(HAProxyLineError) -> SyslogTarget.Address {
        switch text {
        case "stdout", "fd@1": return .standardOutput
        case "stderr", "fd@2": return .standardError
        default: break
        }
        if text.hasPrefix("/") { return .unix(path: text) }
        var family: Int32?
        var rest = Substring(text)
        if let at = text.firstIndex(of: "@") {
            let scheme = String(text[..<at])
            rest = text[text.index(after: at)...]
            switch scheme {
            case "unix", "uxdg":
                guard !rest.isEmpty else { throw HAProxyLineError("log target '\(text)' needs a socket path") }
                return .unix(path: String(rest))
            case "udp", "ipv4", "ipv6", "udp4", "udp6":
                family = scheme.hasSuffix("4") ? AF_INET : scheme.hasSuffix("6") ? AF_INET6 : nil
            case "ring":
                throw HAProxyLineError("log target '\(text)': ring buffers are not supported; log to /dev/log, a UDP syslog server or stdout")
            case "tcp", "tcp4", "tcp6":
                throw HAProxyLineError("log target '\(text)': syslog over TCP is not supported; send over UDP (udp@ADDR:PORT) or to /dev/log")
            case "fd":
                throw HAProxyLineError("log target '\(text)': only fd@1 (stdout) and fd@2 (stderr) are supported")
            default:
                throw HAProxyLineError("log target '\(text)': '\(scheme)@' sockets are not supported; log to /dev/log, unix@PATH, ADDR:PORT (UDP), stdout or stderr")
            }
        }
        let (host, port) = try hostAndPort(rest, whole: text)
        let isV6 = host.contains(":")
        if (family == AF_INET && isV6) || (family == AF_INET6 && !isV6) || !isNumericAddress(host) {
            throw HAProxyLineError("log target '\(text)': '\(host)' is not an IP\(family == AF_INET6 ? "v6" : family == AF_INET ? "v4" : "") address; proxyd does not resolve names of log servers, write the address")
        }
        return .udp(host: host, port: port)
    }

    private static func hostAndPort(_ text: Substring, whole: String) throws(HAProxyLineError) -> (String, Int) {
        func port(_ digits: Substring) throws(HAProxyLineError) -> Int {
            guard let value = Int(digits), (1...65_535).contains(value) else { throw HAProxyLineError("log target '\(whole)': invalid port '\(digits)'") }
            return value
        }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.isEmpty { return (host, 514) }
            guard after.hasPrefix(":") else { throw HAProxyLineError("log target '\(whole)': expected ':PORT' after ']'") }
            return (host, try port(after.dropFirst()))
        }
        guard let colon = text.lastIndex(of: ":") else { return (String(text), 514) }
        let host = text[..<colon]
        // `::1` alone is an address without a port; HAProxy reads the last colon as the port's.
        if host.isEmpty || (host.contains(":") && !isNumericAddress(String(host))) { return (String(text), 514) }
        return (String(host), try port(text[text.index(after: colon)...]))
    }

    private static func isNumericAddress(_ host: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(host.contains(":") ? AF_INET6 : AF_INET, host, &buffer) == 1
    }
}
