/// Reads one `defaults`, `frontend`, `backend` or `listen` section, directive by directive,
/// into an ``HAProxyProxy``. Every problem is reported at its line and the line is skipped, so
/// one run shows every problem of the file.
struct HAProxyProxyReader {
    let diagnostics: ConfigurationDiagnostics
    /// `crt-base` from the global section: where relative `crt` paths are found.
    var certificateBase: String?
    /// The global `ssl-default-bind-*` policy every `bind … ssl` starts from.
    var tlsDefaults = HAProxyTLSPolicy()
    /// The pages of the file's `http-errors` sections, for `errorfiles`.
    var httpErrors: [String: [Int: ErrorPage]] = [:]
    /// The global `log` lines, for `log global`.
    var globalLog = HAProxyLogReader.GlobalLog()

    /// Directives HAProxy has that proxyd accepts without effect, with the reason warned.
    private static let ignoredDirectives: [String: String] = [
        "stats": "proxyd serves its stats page and admin API on the admin listener",
        "description": "it is only a comment to proxyd",
        "capture": "proxyd's access log has its own fields",
        "fullconn": "proxyd has no dynamic connection limit",
    ]

    /// Directives that would change behaviour proxyd cannot reproduce, with a hint.
    private static let refusedDirectives: [String: String] = [
        "log-format": "custom log formats are not supported yet; proxyd writes HAProxy's 'option httplog' line",
        "tcp-request": "proxyd proxies HTTP only",
        "tcp-response": "proxyd proxies HTTP only",
        "compression": "proxyd does not compress responses",
        "cookie": "cookie persistence is not supported; 'balance source' keeps a client on one endpoint",
        "stick-table": "stick tables are not supported",
        "stick": "stick tables are not supported",
        "monitor-uri": "point the load balancer's health check at the admin listener instead",
        "use-server": "servers are discovered, not named; use use_backend",
        "dispatch": "write a server line",
        "filter": "filters are not supported",
        "http-after-response": "proxyd's own responses (redirects, errors, return) are not rewritten; http-response rules apply to backend responses",
        "reqadd": "HAProxy 2.1 removed it; write http-request add-header",
        "reqrep": "HAProxy 2.1 removed it; write http-request set-header or set-path",
        "rspadd": "HAProxy 2.1 removed it; write http-response add-header",
        "unique-id-format": "request IDs are not supported",
        "unique-id-header": "request IDs are not supported",
        "http-reuse": "proxyd reuses idle backend connections for any request (as 'http-reuse always'); to close them after each response write 'option http-server-close'",
    ]

    func read(_ section: HAProxySection, inheriting settings: HAProxyProxySettings) -> HAProxyProxy {
        var proxy = HAProxyProxy(section: section, settings: settings)
        var conditions = HAProxyConditionParser()
        for line in section.directives where line.keyword == "acl" {
            if let name = line.arguments.first, conditions.declarationLines[name] == nil { conditions.declarationLines[name] = line.number }
        }
        var sawRedirect = false
        var allowLine: Int?
        for line in section.directives {
            do throws(HAProxyLineError) {
                try misplaced(line.keyword, in: section)
                switch line.keyword {
                case "mode": try mode(line)
                case "timeout": try timeout(line, into: &proxy.settings)
                case "option": try option(line.arguments, negated: false, line: line.number, into: &proxy)
                case "no":
                    if line.arguments.first == "log" {
                        try HAProxyLogReader.noLog(line.arguments.dropFirst(), into: &proxy.settings)
                        break
                    }
                    guard line.arguments.first == "option" else { throw HAProxyLineError("'no' is only understood before 'option' and 'log'") }
                    try option(line.arguments.dropFirst(), negated: true, line: line.number, into: &proxy)
                case "log":
                    try HAProxyLogReader.proxyLog(Array(line.arguments), line: line.number, global: globalLog, into: &proxy.settings)
                case "default_backend":
                    guard line.arguments.count == 1, let name = line.arguments.first else { throw HAProxyLineError("default_backend needs exactly one backend name") }
                    proxy.settings.defaultBackend = .init(value: name, line: line.number)
                case "bind": try bind(line, into: &proxy)
                case "acl": try conditions.declare(line.arguments)
                case "use_backend": try useBackend(line, conditions: conditions, into: &proxy)
                case "http-request":
                    if sawRedirect {
                        diagnostics.warning("this http-request rule comes after a 'redirect' rule but runs before it, as in HAProxy: http-request rules run first", line: line.number)
                    }
                    let rule = try httpRequest(line, conditions: conditions)
                    try checkRedirect(rule, afterAllowAt: allowLine)
                    if rule.action == .allow, allowLine == nil { allowLine = line.number }
                    proxy.httpRequestRules.append(rule)
                case "http-response":
                    proxy.httpResponseRules.append(try httpResponse(line, conditions: conditions))
                case "redirect":
                    sawRedirect = true
                    let (action, condition) = try redirect(line.arguments, conditions: conditions)
                    proxy.redirectRules.append(RequestRule(action: action, condition: condition, location: diagnostics.location(line: line.number)))
                case "balance": proxy.settings.balance = .init(value: try balance(line.arguments), line: line.number)
                case "hash-type": try hashType(line)
                case "maxconn":
                    // A frontend's own limit (HAProxy: defaults, frontend, listen).
                    if section.kind == .backend {
                        diagnostics.warning("'maxconn' is ignored in backend '\(section.name)', as by HAProxy: it limits a frontend's connections (per server: 'server … maxconn')", line: line.number)
                        break
                    }
                    guard line.arguments.count == 1, let text = line.arguments.first else { throw HAProxyLineError("maxconn needs a number") }
                    proxy.settings.maxConnections = .init(
                        value: try HAProxyServerOptions.integer(text, option: "maxconn", in: 1...10_000_000), line: line.number)
                case "retries":
                    guard line.arguments.count == 1, let text = line.arguments.first else { throw HAProxyLineError("retries needs a number") }
                    proxy.settings.retries = try HAProxyServerOptions.integer(text, option: "retries", in: 0...10)
                case "default-server":
                    warn(try proxy.settings.defaultServer.read(line.arguments), line: line.number)
                case "server": try server(line, into: &proxy)
                case "server-template": try serverTemplate(line, into: &proxy)
                case "http-check": try httpCheck(line, into: &proxy.settings)
                case "errorfile", "errorfiles", "errorloc", "errorloc302", "errorloc303":
                    try HAProxyErrorPagesReader(diagnostics: diagnostics).read(line, sets: httpErrors, into: &proxy.settings.errorPages)
                default:
                    if let reason = Self.ignoredDirectives[line.keyword] {
                        diagnostics.warning("'\(line.keyword)' is ignored: \(reason)", line: line.number)
                    } else {
                        let hint = Self.refusedDirectives[line.keyword].map { "; \($0)" } ?? ""
                        throw HAProxyLineError("unsupported directive '\(line.keyword)' in section \(section.label)\(hint)")
                    }
                }
            } catch {
                diagnostics.error(error.message, line: line.number)
            }
        }
        return proxy
    }

    func warn(_ messages: [String], line: Int) {
        for message in messages { diagnostics.warning(message, line: line) }
    }

    /// Refuses a directive in a section that cannot hold it, saying where it belongs.
    private func misplaced(_ keyword: String, in section: HAProxySection) throws(HAProxyLineError) {
        let frontOnly: Set = ["bind", "use_backend"]
        // HAProxy reads these in named defaults only for frontends or only for backends.
        let perSection: Set = ["acl", "http-request", "http-response", "redirect"]
        let backOnly: Set = ["server", "server-template"]
        let backSide: Set = ["balance", "hash-type", "retries", "default-server", "http-check"]
        switch section.kind {
        case .defaults where frontOnly.contains(keyword) || backOnly.contains(keyword) || perSection.contains(keyword):
            throw HAProxyLineError("'\(keyword)' is not allowed in a defaults section; write it in each frontend, backend or listen section")
        case .backend where frontOnly.contains(keyword):
            throw HAProxyLineError("'\(keyword)' is not allowed in backend '\(section.name)'; it belongs in a frontend or listen section")
        case .frontend where backOnly.contains(keyword) || backSide.contains(keyword):
            throw HAProxyLineError("'\(keyword)' is not allowed in frontend '\(section.name)'; it belongs in a backend or listen section")
        default:
            break
        }
    }

    // MARK: Common directives

    private func mode(_ line: HAProxyConfigLine) throws(HAProxyLineError) {
        switch line.arguments.first {
        case "http": return
        case "tcp": throw HAProxyLineError("mode tcp is not supported yet: proxyd proxies HTTP only")
        case let other?: throw HAProxyLineError("mode '\(other)' is not supported; proxyd proxies HTTP only (mode http)")
        case nil: throw HAProxyLineError("mode needs a value: http")
        }
    }

    /// Timeouts proxyd has (``TimeoutConfiguration``, health check timeout) or knowingly lacks.
    static let knownTimeouts: Set = ["connect", "client", "server", "http-request", "http-keep-alive", "tunnel", "check"]
    private static let ignoredTimeouts: [String: String] = [
        "queue": "proxyd does not queue requests",
        "client-fin": "proxyd closes half-closed connections with the client timeout",
        "server-fin": "proxyd closes half-closed connections with the server timeout",
        "tarpit": "proxyd has no tarpit",
    ]

    private func timeout(_ line: HAProxyConfigLine, into settings: inout HAProxyProxySettings) throws(HAProxyLineError) {
        let arguments = Array(line.arguments)
        guard let name = arguments.first else { throw HAProxyLineError("timeout needs a name and a value, e.g. timeout connect 5s") }
        guard arguments.count == 2 else {
            throw HAProxyLineError(arguments.count < 2 ? "timeout \(name) needs a value" : "timeout \(name) takes one value, found \(arguments.count - 1)")
        }
        let value = try HAProxyServerOptions.duration(arguments[1], option: "timeout \(name)")
        if let reason = Self.ignoredTimeouts[name] {
            diagnostics.warning("timeout \(name) is ignored: \(reason)", line: line.number)
        } else if Self.knownTimeouts.contains(name) {
            settings.timeouts[name] = .init(value: value, line: line.number)
        } else {
            throw HAProxyLineError("unknown timeout '\(name)'; proxyd reads connect, client, server, http-request, http-keep-alive, tunnel and check")
        }
    }

    /// `option` lines HAProxy has that change nothing proxyd does, with the reason warned.
    private static let ignoredOptions: [String: String] = [
        "dontlog-normal": "proxyd logs every request",
        "log-separate-errors": "proxyd logs every request alike",
        "log-health-checks": "proxyd logs health state changes on its own",
        "splice-auto": "proxyd does not splice",
        "splice-request": "proxyd does not splice",
        "splice-response": "proxyd does not splice",
        "tcp-smart-accept": "socket tuning is automatic",
        "tcp-smart-connect": "socket tuning is automatic",
        "tcpka": "socket tuning is automatic",
        "clitcpka": "socket tuning is automatic",
        "srvtcpka": "socket tuning is automatic",
        "contstats": "proxyd's metrics are continuous",
        "socket-stats": "proxyd's metrics are per listener",
        "http-no-delay": "socket tuning is automatic",
        "http-ignore-probes": "proxyd logs every request",
    ]

    /// `option` lines that ask for what proxyd always does: accepted as they are; their `no`
    /// form asks for what proxyd cannot do, and is refused with this reason.
    private static let builtInOptions: [String: String] = [
        "redispatch": "proxyd always retries a request that failed to connect on another endpoint (retries)",
        "http-keep-alive": "proxyd keeps client connections alive",
        "allbackups": "proxyd uses every backup server when no other is up",
    ]

    /// `option` lines whose effect proxyd does not reproduce, with the reason. Their `no` form
    /// asks for HAProxy's default, which is proxyd's behaviour: accepted as it is.
    private static let refusedOptions: [String: String] = [
        "abortonclose": "proxyd serves a request whose client half-closed after sending it (RFC 9112 §9.6), as HAProxy does without abortonclose",
        "httpclose": "proxyd keeps client connections alive; 'option http-server-close' closes backend connections after each response",
        "forceclose": "HAProxy 2.0 removed it; proxyd keeps client connections alive",
        "http-buffer-request": "proxyd streams request bodies to the backend as they arrive",
        "http-pretend-keepalive": "proxyd keeps backend connections alive unless 'option http-server-close'",
        "persist": "proxyd has no cookie persistence",
        "prefer-last-server": "proxyd balances every request",
        "checkcache": "proxyd does not inspect caching headers",
        "originalto": "X-Original-To is not supported",
        "http-use-proxy-header": "Proxy-Connection is not interpreted",
        "accept-invalid-http-request": "proxyd parses requests strictly (RFC 9112) and cannot relax it",
        "accept-invalid-http-response": "proxyd parses responses strictly (RFC 9112) and cannot relax it",
        "external-check": "external checks are not supported",
        "mysql-check": "proxyd checks HTTP backends (option httpchk) or TCP connects",
        "pgsql-check": "proxyd checks HTTP backends (option httpchk) or TCP connects",
        "redis-check": "proxyd checks HTTP backends (option httpchk) or TCP connects",
        "smtpchk": "proxyd checks HTTP backends (option httpchk) or TCP connects",
        "ldap-check": "proxyd checks HTTP backends (option httpchk) or TCP connects",
        "ssl-hello-chk": "proxyd checks HTTP backends (option httpchk) or TCP connects",
        "tcp-check": "proxyd checks HTTP backends (option httpchk) or TCP connects",
        "transparent": "transparent proxying is not supported",
        "independent-streams": "HAProxy 1.x only; proxyd times each direction on its own",
    ]

    private func option(_ words: ArraySlice<String>, negated: Bool, line: Int, into proxy: inout HAProxyProxy) throws(HAProxyLineError) {
        guard let name = words.first else { throw HAProxyLineError("option needs a name") }
        let arguments = words.dropFirst()
        let kind = proxy.section.kind
        switch name {
        case "forwardfor":
            proxy.settings.forwardFor = .init(value: !negated, line: line)
            var rest = arguments
            while let word = rest.popFirst() {
                switch word {
                case "except":
                    let network = rest.popFirst() ?? ""
                    throw HAProxyLineError("option forwardfor except \(network) is not supported: proxyd adds X-Forwarded-For for every client; drop 'except', or remove the header for those clients with 'http-request del-header X-Forwarded-For if { src \(network) }' after it")
                case "header":
                    let header = rest.popFirst() ?? ""
                    throw HAProxyLineError("option forwardfor header \(header) is not supported: proxyd writes the client address to X-Forwarded-For; write 'http-request set-header \(header) %[src]' for another name")
                case "if-none":
                    throw HAProxyLineError("option forwardfor if-none is not supported: proxyd always appends the client to X-Forwarded-For (a client cannot choose it)")
                default:
                    throw HAProxyLineError("unexpected '\(word)' after option forwardfor; HAProxy knows except, header and if-none")
                }
            }
        case "httplog":
            if arguments.first == "clf" { diagnostics.warning("option httplog clf: proxyd writes HAProxy's httplog format, not CLF", line: line) }
            proxy.settings.httpLog = !negated
        case "tcplog":
            throw HAProxyLineError("option tcplog is not supported: proxyd proxies HTTP and logs HAProxy's 'option httplog' line; write option httplog")
        case "dontlognull":
            proxy.settings.dontLogNull = !negated
        case "httpchk":
            guard kind.hasBackend else {
                diagnostics.warning("option httpchk is ignored in a frontend: health checks belong to a backend", line: line)
                return
            }
            proxy.settings.checkRequest = .init(value: try Self.checkRequest(Array(arguments)), line: line)
        case "http-server-close":
            // Backend connections closed after each response: no idle pool. HAProxy honours it
            // on the frontend too, but proxyd's pool belongs to a backend that several
            // frontends may share.
            guard kind != .frontend else {
                throw HAProxyLineError("option http-server-close applies to backend connections: write it in the backend (or defaults) section")
            }
            proxy.settings.serverClose = .init(value: !negated, line: line)
        default:
            if let reason = Self.builtInOptions[name] {
                if negated { throw HAProxyLineError("no option \(name) is not supported: \(reason)") }
            } else if let reason = Self.ignoredOptions[name] {
                diagnostics.warning("option \(name) is ignored: \(reason)", line: line)
            } else if let reason = Self.refusedOptions[name] {
                if !negated { throw HAProxyLineError("option \(name) is not supported: \(reason)") }
            } else {
                throw HAProxyLineError("unsupported option '\(name)' in section \(proxy.section.label)")
            }
        }
    }

    /// `option httpchk [METHOD] URI [VERSION]`; a version such as `HTTP/1.1\r\nHost:\ example.com`
    /// carries the Host header the way HAProxy before 2.2 wrote it.
    static func checkRequest(_ arguments: [String]) throws(HAProxyLineError) -> HAProxyProxySettings.CheckRequest {
        var request = HAProxyProxySettings.CheckRequest()
        switch arguments.count {
        case 0: break
        case 1: request.path = arguments[0]
        case 2, 3:
            request.method = arguments[0]
            request.path = arguments[1]
            if arguments.count == 3 {
                let lines = arguments[2].components(separatedBy: "\r\n")
                for header in lines.dropFirst() {
                    let parts = header.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "host" {
                        request.host = parts[1].trimmingWhitespace()
                    } else if !header.isEmpty {
                        throw HAProxyLineError("option httpchk: only a Host header can follow the version, found '\(header)'")
                    }
                }
            }
        default:
            throw HAProxyLineError("option httpchk takes at most METHOD URI VERSION, found \(arguments.count) words")
        }
        guard request.path.hasPrefix("/") else { throw HAProxyLineError("option httpchk: the URI '\(request.path)' must start with '/'") }
        guard !request.method.isEmpty, request.method.allSatisfy(\.isHTTPTokenCharacter) else {
            throw HAProxyLineError("option httpchk: '\(request.method)' is not an HTTP method")
        }
        return request
    }
}
