/// Reads the `global` section: the process settings proxyd has (`maxconn`, `user`, `nbthread`,
/// `hard-stop-after`, `crt-base`, TLS minimum version) go into the model; harmless process
/// directives (`daemon`, `log`, `chroot`, …) are warnings; `stats` goes
/// to ``HAProxyStatsReader``; anything else is an
/// error.
struct HAProxyGlobalReader {
    let diagnostics: ConfigurationDiagnostics

    /// What the global section passes on to `bind` lines.
    struct BindDefaults: Sendable, Hashable {
        var certificateBase: String?
        var minimumTLSVersion = "tls1.2"
    }

    private static let tlsDefaults = "proxyd's TLS defaults apply (Mozilla intermediate: TLS 1.2 and 1.3 with its cipher list)"

    /// Process directives with no meaning for proxyd, with the reason warned.
    private static let ignored: [String: String] = [
        "daemon": "proxyd stays in the foreground; run it under systemd",
        "master-worker": "proxyd is one process; reload it with SIGHUP",
        "log": "proxyd does not send logs to syslog; access logs ('option httplog') go to standard output",
        "log-send-hostname": "proxyd does not send logs to syslog",
        "log-tag": "proxyd does not send logs to syslog",
        "chroot": "proxyd does not chroot; its systemd unit confines it",
        "pidfile": "systemd tracks proxyd's PID",
        "nbproc": "proxyd is one process with an event loop per core",
        "cpu-map": "proxyd does not pin threads",
        "ca-base": "proxyd reads no CA files",
        "ssl-default-bind-ciphers": tlsDefaults,
        "ssl-default-bind-ciphersuites": tlsDefaults,
        "ssl-default-bind-curves": tlsDefaults,
        "ssl-default-bind-sigalgs": tlsDefaults,
        "ssl-default-server-ciphers": "proxyd connects to backends over plain HTTP",
        "ssl-default-server-ciphersuites": "proxyd connects to backends over plain HTTP",
        "ssl-default-server-options": "proxyd connects to backends over plain HTTP",
        "ssl-server-verify": "proxyd connects to backends over plain HTTP",
        "ssl-dh-param-file": tlsDefaults,
        "spread-checks": "proxyd spreads health checks on its own",
        "description": "it is only a comment to proxyd",
        "node": "it is only a comment to proxyd",
        "ulimit-n": "set LimitNOFILE in the systemd unit",
        "server-state-file": "proxyd relearns endpoints from DNS at start",
        "server-state-base": "proxyd relearns endpoints from DNS at start",
        "maxconnrate": "rate limits are not supported",
        "maxsslrate": "rate limits are not supported",
        "maxsessrate": "rate limits are not supported",
        "maxsslconn": "proxyd limits all connections with maxconn",
        "insecure-fork-wanted": "proxyd runs no external checks",
        "h1-case-adjust": "header names are forwarded as received",
    ]

    private static let refused: [String: String] = [
        "lua-load": "Lua is not supported",
        "lua-prepend-path": "Lua is not supported",
        "setenv": "set environment variables in the service's environment (systemd Environment=)",
        "presetenv": "set environment variables in the service's environment (systemd Environment=)",
        "resetenv": "set environment variables in the service's environment (systemd Environment=)",
        "unsetenv": "set environment variables in the service's environment (systemd Environment=)",
        "uid": "write 'user NAME'",
        "external-check": "external checks are not supported",
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
                case "stats":
                    try HAProxyStatsReader.read(line, in: section, into: &configuration, diagnostics: diagnostics)
                case "crt-base":
                    bindDefaults.certificateBase = try single(arguments, line)
                case "ssl-default-bind-options":
                    var rest = arguments[...]
                    var ignored: [String] = []
                    while let option = rest.popFirst() {
                        switch option {
                        case "ssl-min-ver":
                            guard let version = rest.popFirst() else { throw HAProxyLineError("ssl-min-ver needs a version") }
                            bindDefaults.minimumTLSVersion = try HAProxyProxyReader.tlsVersion(version, line: line.number, diagnostics: diagnostics)
                        case "no-sslv3", "no-tlsv10", "no-tlsv11", "force-tlsv12", "prefer-client-ciphers":
                            continue
                        case "ssl-max-ver":
                            ignored.append(option + (rest.popFirst().map { " \($0)" } ?? ""))
                        default:
                            ignored.append(option)
                        }
                    }
                    if !ignored.isEmpty {
                        diagnostics.warning("ssl-default-bind-options \(ignored.joined(separator: " ")) ignored: \(Self.tlsDefaults)", line: line.number)
                    }
                default:
                    if let reason = Self.ignored[line.keyword] {
                        diagnostics.warning("'\(line.keyword)' is ignored: \(reason)", line: line.number)
                    } else if line.keyword.hasPrefix("tune.") {
                        diagnostics.warning("'\(line.keyword)' is ignored: proxyd tunes its buffers itself", line: line.number)
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
