/// Reads the `global` section: the process settings proxyd has (`maxconn`, `user`, `nbthread`,
/// `hard-stop-after`, `pidfile`, `ulimit-n`, `chroot`, `crt-base`, the `ssl-default-bind-*` TLS
/// policy, …) go into the model; `stats` goes to ``HAProxyStatsReader``; directives that change
/// nothing proxyd does (`daemon`, comments) are warnings; anything whose effect proxyd does not
/// reproduce is an error that says why. Logging directives are
/// ``HAProxyLogReader``'s.
struct HAProxyGlobalReader {
    let diagnostics: ConfigurationDiagnostics

    /// What the global section passes on to `bind` lines.
    struct BindDefaults: Sendable, Hashable {
        var certificateBase: String?
        /// `ssl-default-bind-*`: what every `bind … ssl` starts from (``HAProxyTLSPolicy``).
        var tls = HAProxyTLSPolicy()
    }

    /// Process directives with no meaning for proxyd, with the reason warned.
    private static let ignored: [String: String] = [
        "daemon": "proxyd stays in the foreground; run it under systemd",
        "master-worker": "proxyd is one process; reload it with SIGHUP",
        // These apply only to `server … ssl` lines, which proxyd refuses: without one they
        // change nothing, in HAProxy too.
        "ssl-default-server-ciphers": "they apply only to 'server … ssl', and proxyd connects to backends over plain HTTP",
        "ssl-default-server-ciphersuites": "they apply only to 'server … ssl', and proxyd connects to backends over plain HTTP",
        "ssl-default-server-options": "they apply only to 'server … ssl', and proxyd connects to backends over plain HTTP",
        "ssl-server-verify": "it applies only to 'server … ssl', and proxyd connects to backends over plain HTTP",
        "spread-checks": "proxyd spreads health checks on its own",
        "description": "it is only a comment to proxyd",
        "node": "it is only a comment to proxyd",
        "insecure-fork-wanted": "proxyd runs no external checks",
    ]

    /// Directives whose effect proxyd does not reproduce: refused, so that nothing the file
    /// asks for is silently dropped, with what to do instead.
    private static let refused: [String: String] = [
        "lua-load": "Lua is not supported",
        "lua-prepend-path": "Lua is not supported",
        "setenv": "set environment variables in the service's environment (systemd Environment=)",
        "presetenv": "set environment variables in the service's environment (systemd Environment=)",
        "resetenv": "set environment variables in the service's environment (systemd Environment=)",
        "unsetenv": "set environment variables in the service's environment (systemd Environment=)",
        "uid": "write 'user NAME'",
        "gid": "write 'group NAME'",
        "external-check": "external checks are not supported",
        "nbproc": "HAProxy 2.5 removed it; proxyd is one process with an event loop per core (nbthread N sets their number)",
        "cpu-map": "proxyd does not pin its threads to CPUs; set CPUAffinity= in the systemd unit",
        "server-state-file": "proxyd keeps no server state file: it relearns endpoints from DNS at start, and runtime API overrides last until a restart",
        "server-state-base": "proxyd keeps no server state file: it relearns endpoints from DNS at start, and runtime API overrides last until a restart",
        "maxconnrate": "connection rate limits are not supported; maxconn limits concurrent connections",
        "maxsessrate": "session rate limits are not supported; maxconn limits concurrent connections",
        "maxsslrate": "TLS handshake rate limits are not supported; maxconn limits concurrent connections",
        "maxsslconn": "proxyd has no separate TLS connection limit; maxconn limits every connection",
        "h1-case-adjust": "proxyd forwards header names as received and cannot rewrite their case",
        "h1-case-adjust-file": "proxyd forwards header names as received and cannot rewrite their case",
        "ssl-dh-param-file": "proxyd gives DHE suites the RFC 7919 ffdhe group sized to the certificate's key (HAProxy 2.6's default without this line); remove it",
    ]

    func read(_ section: HAProxySection, into configuration: inout ProxyConfiguration, bindDefaults: inout BindDefaults) {
        for line in section.directives {
            let arguments = Array(line.arguments)
            do throws(HAProxyLineError) {
                switch line.keyword {
                case "maxconn":
                    configuration.limits.maxConnections = try HAProxyServerOptions.integer(try single(arguments, line), option: "maxconn", in: 1...10_000_000)
                case "user":
                    configuration.user = try single(arguments, line)
                case "group":
                    configuration.group = try single(arguments, line)
                case "nbthread":
                    configuration.threads = try HAProxyServerOptions.integer(try single(arguments, line), option: "nbthread", in: 1...1024)
                case "hard-stop-after":
                    configuration.timeouts.shutdownGrace = try HAProxyServerOptions.duration(try single(arguments, line), option: "hard-stop-after")
                case "log", "log-tag", "log-send-hostname":
                    continue // HAProxyLogReader
                case "stats":
                    try HAProxyStatsReader.read(line, in: section, into: &configuration, diagnostics: diagnostics)
                case "pidfile":
                    configuration.pidFile = try single(arguments, line)
                case "ulimit-n":
                    configuration.openFileLimit = try HAProxyServerOptions.integer(try single(arguments, line), option: "ulimit-n", in: 256...100_000_000)
                case "tune.http.maxhdr":
                    configuration.limits.maxHeaders = try HAProxyServerOptions.integer(try single(arguments, line), option: "tune.http.maxhdr", in: 1...32_767)
                case "crt-base":
                    bindDefaults.certificateBase = try single(arguments, line)
                case "chroot":
                    configuration.chroot = try single(arguments, line)
                case "ca-base":
                    // Only `ca-file`/`crl-file` would read it, and proxyd refuses those on binds
                    // (no client certificates): accepted, and it changes nothing.
                    _ = try single(arguments, line)
                case let keyword where HAProxyTLSPolicy.globalDirectives[keyword] != nil:
                    try bindDefaults.tls.readGlobal(keyword, arguments)
                default:
                    if let reason = Self.ignored[line.keyword] {
                        diagnostics.warning("'\(line.keyword)' is ignored: \(reason)", line: line.number)
                    } else if line.keyword.hasPrefix("tune.") {
                        throw HAProxyLineError("'\(line.keyword)' is not carried out: proxyd sizes its buffers itself; its limits are limits.max_header_bytes, max_headers (tune.http.maxhdr) and max_request_line")
                    } else {
                        let hint = Self.refused[line.keyword].map { "; \($0)" } ?? ""
                        throw HAProxyLineError("unsupported directive '\(line.keyword)' in section global\(hint)")
                    }
                }
            } catch {
                diagnostics.error(error.message, line: line.number)
            }
        }
    }

    private func single(_ arguments: [String], _ line: HAProxyConfigLine) throws(HAProxyLineError) -> String {
        guard arguments.count == 1 else {
            throw HAProxyLineError(arguments.isEmpty ? "\(line.keyword) needs a value" : "\(line.keyword) takes one value, found \(arguments.count)")
        }
        return arguments[0]
    }
}
