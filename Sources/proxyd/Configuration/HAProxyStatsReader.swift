/// `global` → `stats socket`, `stats timeout`, `stats maxconn`: HAProxy's runtime API socket
/// (see ``StatsSocketConfiguration``).
///
/// `stats socket PATH [mode M] [level user|operator|admin] [user U] [group G] [uid N] [gid N]
/// [maxconn N]`; the path may be written `unix@PATH`. Address forms (`ipv4@…`, `HOST:PORT`,
/// `abns@…`, `fd@…`) and the other `bind` options are refused with the reason: proxyd serves
/// the runtime API on a Unix socket only (its admin listener is the TCP side). `stats timeout`
/// and `stats maxconn` apply to the socket wherever they stand in the section.
enum HAProxyStatsReader {
    static func read(_ line: HAProxyConfigLine, in section: HAProxySection, into configuration: inout ProxyConfiguration,
                     diagnostics: ConfigurationDiagnostics) throws(HAProxyLineError) {
        let arguments = Array(line.arguments)
        guard let what = arguments.first else {
            throw HAProxyLineError("stats needs socket, timeout or maxconn")
        }
        switch what {
        case "socket":
            guard configuration.statsSocket == nil else {
                throw HAProxyLineError("proxyd serves one stats socket; a second 'stats socket' line is not supported")
            }
            var socket = try socket(Array(arguments.dropFirst()))
            // The section's `stats timeout` / `stats maxconn`, wherever they stand (HAProxy
            // applies them to every stats socket); their own lines report their errors.
            for other in section.directives where other.keyword == "stats" {
                let words = Array(other.arguments)
                guard words.count == 2 else { continue }
                if words[0] == "timeout", let timeout = try? timeout(words[1]) { socket.idleTimeout = timeout }
                if words[0] == "maxconn", let maxconn = try? maxconn(words[1]) { socket.maxConnections = maxconn }
            }
            configuration.statsSocket = socket
        case "timeout", "maxconn":
            guard arguments.count == 2 else { throw HAProxyLineError("stats \(what) takes one value") }
            if what == "timeout" { _ = try timeout(arguments[1]) } else { _ = try maxconn(arguments[1]) }
            if !section.directives.contains(where: { $0.keyword == "stats" && $0.arguments.first == "socket" }) {
                diagnostics.warning("'stats \(what)' is ignored: there is no 'stats socket' line for it to apply to", line: line.number)
            }
        case "bind-process":
            throw HAProxyLineError("stats bind-process: proxyd is one process; remove the line")
        default:
            throw HAProxyLineError("unsupported 'stats \(what)' in section global; proxyd reads stats socket, stats timeout and stats maxconn")
        }
    }

    static func timeout(_ text: String) throws(HAProxyLineError) -> Duration {
        let timeout = try HAProxyServerOptions.duration(text, option: "stats timeout")
        guard timeout > .zero else { throw HAProxyLineError("stats timeout must be more than 0") }
        return timeout
    }

    static func maxconn(_ text: String) throws(HAProxyLineError) -> Int {
        try HAProxyServerOptions.integer(text, option: "stats maxconn", in: 1...100_000)
    }

    /// The words after `stats socket`.
    static func socket(_ words: [String]) throws(HAProxyLineError) -> StatsSocketConfiguration {
        guard var path = words.first, !path.isEmpty else {
            throw HAProxyLineError("stats socket needs a path, e.g. stats socket /run/haproxy/admin.sock mode 660 level admin")
        }
        if path.hasPrefix("unix@") { path.removeFirst(5) }
        if let at = path.firstIndex(of: "@"), path[..<at].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" }) && !path.hasPrefix("/") {
            throw HAProxyLineError("stats socket '\(path)': proxyd serves the runtime API on a Unix socket path only (\(path[..<at])@ is not supported); for TCP use the admin listener (admin: bind with a token)")
        }
        if path.contains(":") && !path.hasPrefix("/") {
            throw HAProxyLineError("stats socket '\(path)': proxyd serves the runtime API on a Unix socket path only, not on an IP address; for TCP use the admin listener (admin: bind with a token)")
        }
        guard !path.isEmpty else { throw HAProxyLineError("stats socket needs a path after unix@") }
        var socket = StatsSocketConfiguration(path: path)
        var rest = words.dropFirst()
        while let option = rest.popFirst() {
            func value() throws(HAProxyLineError) -> String {
                guard let value = rest.popFirst() else { throw HAProxyLineError("stats socket: '\(option)' needs a value") }
                return value
            }
            switch option {
            case "mode":
                let text = try value()
                guard let mode = StatsSocketConfiguration.parseMode(text) else {
                    throw HAProxyLineError("stats socket: mode must be octal permission bits such as 660 or 0600, found '\(text)'")
                }
                socket.mode = mode
            case "level":
                let text = try value()
                guard let level = StatsSocketConfiguration.Level(rawValue: text) else {
                    throw HAProxyLineError("stats socket: level must be user, operator or admin, found '\(text)'")
                }
                socket.level = level
            case "user", "uid":
                let text = try value()
                if option == "uid" && UInt32(text) == nil { throw HAProxyLineError("stats socket: uid must be a number, found '\(text)'") }
                socket.owner = text
            case "group", "gid":
                let text = try value()
                if option == "gid" && UInt32(text) == nil { throw HAProxyLineError("stats socket: gid must be a number, found '\(text)'") }
                socket.group = text
            case "maxconn":
                socket.maxConnections = try maxconn(try value())
            case "expose-fd":
                throw HAProxyLineError("stats socket: expose-fd is not supported: proxyd reloads in place on SIGHUP, no listener is handed to a new process")
            default:
                throw HAProxyLineError("stats socket: option '\(option)' is not supported; proxyd reads mode, level, user, group, uid, gid and maxconn")
            }
        }
        return socket
    }
}
