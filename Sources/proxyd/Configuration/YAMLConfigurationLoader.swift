import LoadBalance
import Yams

/// A configuration that loaded, with the warnings an operator should still see.
struct LoadedConfiguration: Sendable {
    var configuration: ProxyConfiguration
    var warnings: [ConfigurationDiagnostic]
}

/// Reads proxyd's native YAML configuration into ``ProxyConfiguration``.
///
/// Every mistake is reported with `file:line:column` and what is wrong — unknown keys (typos),
/// wrong types, values out of range, references to sections that do not exist — and all of
/// them are collected before the file is refused, so one `proxyd check` shows everything.
enum YAMLConfigurationLoader {
    static func load(yaml: String, file: String) throws(ConfigurationError) -> LoadedConfiguration {
        let diagnostics = ConfigurationDiagnostics(file: file)
        do {
            try YAMLExpansionGuard().check(yaml)
        } catch {
            throw ConfigurationError(diagnostics: [
                .error(error.message, at: location(line: error.line, column: error.column, in: yaml, file: file))
            ])
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigurationError(diagnostics: [
                    .error("the file is empty; it needs at least `listeners` and `backends`", at: .init(file: file, line: 1, column: 1))
                ])
            }
            root = node
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(diagnostics: [Self.diagnostic(forYAMLError: error, file: file, yaml: yaml)])
        }

        var configuration = ProxyConfiguration()
        if case .mapping = root {
            if let top = YAMLMapping(root, path: "", allowedKeys: TopLevel.keys, diagnostics: diagnostics) {
                configuration = YAMLSectionReader(diagnostics: diagnostics).configuration(from: top)
            }
        } else {
            diagnostics.error("the file must be a mapping of keys to values (listeners:, backends:, ...), found \(root.kindDescription)", at: root)
        }
        if !diagnostics.hasErrors {
            ConfigurationValidator.validate(configuration, into: diagnostics)
        }
        if diagnostics.hasErrors {
            throw ConfigurationError(diagnostics: diagnostics.all.map { insideFile($0, yaml: yaml) })
        }
        return LoadedConfiguration(configuration: configuration, warnings: diagnostics.warnings.map { insideFile($0, yaml: yaml) })
    }

    /// A diagnostic whose node mark lies past the end of the file moved to the end of its last
    /// line: libyaml marks a value the file ends without (`---` and nothing after it) on the
    /// line after the last one (found by FuzzYAMLConfig).
    private static func insideFile(_ diagnostic: ConfigurationDiagnostic, yaml: String) -> ConfigurationDiagnostic {
        var moved = diagnostic
        let location = diagnostic.location
        let clamped = Self.location(line: location.line, column: location.column ?? 1, in: yaml, file: location.file)
        if clamped.line != location.line { moved.location = clamped }
        return moved
    }

    private enum TopLevel {
        static let keys = ["listeners", "backends", "resolvers", "timeouts", "limits", "admin", "access_log", "threads", "user", "group", "pid_file", "open_file_limit", "chroot", "error_pages", "stats_socket"]
    }

    /// Turns a Yams syntax error into a diagnostic at the position libyaml reported.
    static func diagnostic(forYAMLError error: any Error, file: String, yaml: String) -> ConfigurationDiagnostic {
        if let yamlError = error as? YamlError {
            switch yamlError {
            case .scanner(let context, let problem, let mark, _),
                 .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                let prefix = context.map { "\($0.text) " } ?? ""
                return .error("YAML syntax: \(prefix)\(problem)", at: location(line: mark.line, column: mark.column, in: yaml, file: file))
            case .duplicatedKeysInMapping(let duplicates, let context):
                return .error("duplicate key(s) \(duplicates.joined(separator: ", ")) in one mapping", at: location(line: context.mark.line, column: context.mark.column, in: yaml, file: file))
            default:
                break
            }
        }
        return .error("YAML syntax: \(error)", at: .init(file: file, line: 1, column: 1))
    }

    /// A libyaml position as a location inside the file. At the end of a file whose last line
    /// has no line break, libyaml reports the line after it (it adds the break itself); that
    /// becomes the end of the last line, so an editor can jump to it.
    static func location(line: Int, column: Int, in yaml: String, file: String) -> SourceLocation {
        var lines = 1
        var lastLineLength = 0
        var previous: Unicode.Scalar?
        for scalar in yaml.unicodeScalars {
            switch scalar {
            case "\n" where previous == "\r":
                break  // CRLF: the CR ended the line
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":  // libyaml's line breaks
                lines += 1
                lastLineLength = 0
            default:
                lastLineLength += 1
            }
            previous = scalar
        }
        if line > lines {
            return SourceLocation(file: file, line: lines, column: lastLineLength + 1)
        }
        return SourceLocation(file: file, line: max(line, 1), column: max(column, 1))
    }
}

/// Reads each section of the YAML file into its model type.
struct YAMLSectionReader {
    let diagnostics: ConfigurationDiagnostics

    func configuration(from top: YAMLMapping) -> ProxyConfiguration {
        var configuration = ProxyConfiguration()
        for (name, keyNode, value) in top.namedEntries("resolvers") ?? [] {
            if let resolver = resolver(name: name, keyNode: keyNode, node: value) { configuration.resolvers.append(resolver) }
        }
        for (name, keyNode, value) in top.namedEntries("backends") ?? [] {
            if let backend = backend(name: name, keyNode: keyNode, node: value) { configuration.backends.append(backend) }
        }
        for (index, node) in (top.sequence("listeners") ?? []).enumerated() {
            if let listener = listener(index: index, node: node) { configuration.listeners.append(listener) }
        }
        if let timeouts = top.mapping("timeouts", allowedKeys: ["connect", "client", "server", "request_head", "keep_alive", "tunnel", "shutdown_grace"]) {
            var t = TimeoutConfiguration()
            t.connect = timeouts.duration("connect") ?? t.connect
            t.client = timeouts.duration("client") ?? t.client
            t.server = timeouts.duration("server") ?? t.server
            t.requestHead = timeouts.duration("request_head") ?? t.requestHead
            t.keepAlive = timeouts.duration("keep_alive") ?? t.keepAlive
            t.tunnel = timeouts.duration("tunnel") ?? t.tunnel
            t.shutdownGrace = timeouts.duration("shutdown_grace") ?? t.shutdownGrace
            configuration.timeouts = t
        }
        if let limits = top.mapping("limits", allowedKeys: ["max_connections", "max_request_line", "max_header_bytes", "max_headers", "max_body_bytes"]) {
            var l = LimitConfiguration()
            l.maxConnections = limits.int("max_connections", in: 1...10_000_000) ?? l.maxConnections
            l.maxRequestLine = limits.int("max_request_line", in: 64...1_048_576) ?? l.maxRequestLine
            l.maxHeaderBytes = limits.int("max_header_bytes", in: 256...16_777_216) ?? l.maxHeaderBytes
            l.maxHeaders = limits.int("max_headers", in: 1...10_000) ?? l.maxHeaders
            l.maxBodyBytes = limits.int("max_body_bytes", in: 0...Int.max)
            configuration.limits = l
        }
        if let admin = top.mapping("admin", allowedKeys: ["bind", "token"]) {
            var a = AdminConfiguration()
            a.bind = admin.bindAddress("bind") ?? a.bind
            a.token = admin.string("token")
            if a.token?.isEmpty == true {
                diagnostics.error("admin.token must not be empty", at: admin.location(of: "token"))
            }
            // Privilege rule: the admin API drains endpoints and reloads; off loopback it must
            // demand a token.
            if !a.bind.isLoopback && a.token == nil {
                diagnostics.error("admin.bind \(a.bind) is not a loopback address: set admin.token (every admin request then needs 'Authorization: Bearer TOKEN') or bind 127.0.0.1", at: admin.location(of: "bind"))
            }
            configuration.admin = a
        }
        if let log = top.mapping("access_log", allowedKeys: ["format", "path", "syslog", "log_null_connections"]) {
            var a = AccessLogConfiguration()
            if let format = log.string("format") {
                if let value = AccessLogConfiguration.Format(rawValue: format) {
                    a.format = value
                } else {
                    diagnostics.error("access_log.format must be one of: \(AccessLogConfiguration.Format.allCases.map(\.rawValue).joined(separator: ", "))", at: log.location(of: "format"))
                }
            }
            a.path = log.string("path")
            if let syslog = log.mapping("syslog", allowedKeys: YAMLSyslogReader.keys) {
                a.syslog = YAMLSyslogReader(diagnostics: diagnostics).read(syslog)
                if a.path != nil { diagnostics.error("access_log: write path or syslog, not both", at: log.location(of: "path")) }
            }
            a.logNullConnections = log.bool("log_null_connections") ?? false
            configuration.accessLog = a
        }
        configuration.statsSocket = YAMLStatsSocketReader.read(top, diagnostics: diagnostics)
        configuration.threads = top.int("threads", in: 1...1024)
        configuration.user = top.string("user")
        configuration.group = top.string("group")
        configuration.pidFile = top.string("pid_file")
        configuration.openFileLimit = top.int("open_file_limit", in: 256...100_000_000)
        configuration.chroot = top.string("chroot")
        configuration.applyErrorPages(YAMLErrorPagesReader(diagnostics: diagnostics).pages(in: top))
        return configuration
    }

    // MARK: Listeners

    func listener(index: Int, node: Node) -> ListenerConfiguration? {
        guard let m = YAMLMapping(
            node, path: "listeners[\(index)]",
            allowedKeys: ["name", "bind", "tls", "rules", "response_rules", "routes", "backend", "forwarded_headers", "forwarded_rfc7239", "max_connections", "error_pages"],
            diagnostics: diagnostics
        ) else { return nil }
        guard let bind = m.bindAddress("bind") else {
            if m["bind"] == nil { m.error("a listener needs `bind: HOST:PORT`") }
            return nil
        }
        var listener = ListenerConfiguration(
            name: m.string("name") ?? "listener-\(bind.port)",
            bind: bind,
            location: diagnostics.location(of: node)
        )
        listener.defaultBackend = m.string("backend")
        listener.forwardedHeaders = m.bool("forwarded_headers") ?? true
        listener.rfc7239Forwarded = m.bool("forwarded_rfc7239") ?? false
        listener.maxConnections = m.int("max_connections", in: 1...10_000_000)
        listener.errorPages = YAMLErrorPagesReader(diagnostics: diagnostics).pages(in: m)
        if let tls = m.mapping("tls", allowedKeys: YAMLListenerTLSReader.keys) {
            listener.tls = YAMLListenerTLSReader(diagnostics: diagnostics).read(tls)
        }
        for (ruleIndex, ruleNode) in (m.sequence("rules") ?? []).enumerated() {
            if let rule = rule(path: "\(m.path).rules[\(ruleIndex)]", node: ruleNode) { listener.rules.append(rule) }
        }
        listener.responseRules = responseRules(of: m)
        for (routeIndex, routeNode) in (m.sequence("routes") ?? []).enumerated() {
            let path = "\(m.path).routes[\(routeIndex)]"
            guard let r = YAMLMapping(routeNode, path: path, allowedKeys: ["backend", "when", "unless"], diagnostics: diagnostics) else { continue }
            guard let backend = r.string("backend") else {
                r.error("a route needs `backend: NAME`")
                continue
            }
            listener.routes.append(Route(backend: backend, condition: condition(of: r), location: diagnostics.location(of: routeNode)))
        }
        return listener
    }

    private static let actionKeys = ["redirect", "add_header", "set_header", "remove_header", "deny", "return", "allow"]

    func rule(path: String, node: Node) -> RequestRule? {
        guard let m = YAMLMapping(node, path: path, allowedKeys: Self.actionKeys + ["when", "unless"], diagnostics: diagnostics) else { return nil }
        let actions = m.keys.filter(Self.actionKeys.contains)
        guard actions.count == 1, let key = actions.first else {
            m.error("a rule needs exactly one action of: \(Self.actionKeys.joined(separator: ", ")); found \(actions.isEmpty ? "none" : actions.joined(separator: ", "))")
            return nil
        }
        let action: RequestRuleAction
        switch key {
        case "deny", "return", "allow":
            guard let answering = answeringAction(key, in: m) else { return nil }
            action = answering
        case "redirect":
            guard let r = m.mapping("redirect", allowedKeys: ["scheme", "prefix", "code", "port"]) else { return nil }
            let code = r.int("code", in: 300...399) ?? 301
            guard [301, 302, 303, 307, 308].contains(code) else {
                diagnostics.error("\(r.path).code must be 301, 302, 303, 307 or 308", at: r.location(of: "code"))
                return nil
            }
            switch (r.string("scheme"), r.string("prefix")) {
            case (let scheme?, nil):
                guard scheme == "https" || scheme == "http" else {
                    diagnostics.error("\(r.path).scheme must be https or http", at: r.location(of: "scheme"))
                    return nil
                }
                action = .redirectScheme(scheme: scheme, code: code, port: r.int("port", in: 1...65_535))
            case (nil, let prefix?):
                action = .redirectPrefix(prefix: prefix, code: code)
            default:
                r.error("a redirect needs exactly one of `scheme:` or `prefix:`")
                return nil
            }
        case "remove_header":
            guard let name = m.string("remove_header") else { return nil }
            guard validHeaderName(name, at: m.location(of: "remove_header")) else { return nil }
            action = .removeHeader(name: name)
        default:
            guard let h = m.mapping(key, allowedKeys: ["name", "value"]) else { return nil }
            guard let name = h.string("name"), let valueText = h.string("value") else {
                h.error("\(key) needs `name:` and `value:`")
                return nil
            }
            guard validHeaderName(name, at: h.location(of: "name")) else { return nil }
            let value: HeaderValueTemplate
            do {
                value = try HeaderValueTemplate(parsing: valueText)
            } catch {
                diagnostics.error("\(h.path).value: \(error)", at: h.location(of: "value"))
                return nil
            }
            action = key == "add_header" ? .addHeader(name: name, value: value) : .setHeader(name: name, value: value)
        }
        return RequestRule(action: action, condition: condition(of: m), location: diagnostics.location(of: node))
    }

    func validHeaderName(_ name: String, at location: SourceLocation) -> Bool {
        if !name.isEmpty, name.allSatisfy(\.isHTTPTokenCharacter) { return true }
        diagnostics.error("'\(name)' is not a valid header name (RFC 9110 §5.1: letters, digits and !#$%&'*+-.^_`|~)", at: location)
        return false
    }

    private static let conditionKeys = ["tls", "path_prefix", "host", "any", "all", "not"] + criterionKeys

    /// `when:` and `unless:`. A condition is a mapping whose keys must all hold: `tls`,
    /// `path_prefix`, `host`, and for what haproxy.cfg can say with `||` and `!`: `any:` (a list
    /// of conditions, one must hold), `all:` (a list, all must hold) and `not:` (a condition).
    func condition(of m: YAMLMapping) -> RuleCondition {
        var terms: [RuleCondition] = []
        if let when = m.mapping("when", allowedKeys: Self.conditionKeys) {
            terms.append(conjunction(when))
        }
        if let unless = m.mapping("unless", allowedKeys: Self.conditionKeys) {
            terms.append(.not(conjunction(unless)))
        }
        return .allOf(terms)
    }

    private func conjunction(_ m: YAMLMapping) -> RuleCondition {
        var terms: [RuleCondition] = []
        var reported = false
        for key in m.keys {
            switch key {
            case "tls":
                if let tls = m.bool("tls") { terms.append(tls ? .tls : .not(.tls)) }
            case "path_prefix":
                if let prefixes = m.strings("path_prefix") { terms.append(.pathPrefix(prefixes)) }
            case "host":
                if let hosts = m.strings("host") { terms.append(.host(hosts.map { $0.lowercased() })) }
            case "not":
                if let inner = m.mapping("not", allowedKeys: Self.conditionKeys) { terms.append(.not(conjunction(inner))) }
            case _ where Self.criterionKeys.contains(key):
                if let term = criterion(key, in: m) { terms.append(term) } else { reported = true }
            default: // any, all
                // An explicit empty list is the neutral element: `all: []` always holds, `any: []`
                // never does (HAProxy's TRUE and FALSE, as `proxyd convert` writes them).
                var parts: [RuleCondition] = []
                guard let list = m.sequence(key) else {
                    m.error("`\(key):` needs a list of conditions")
                    reported = true
                    continue
                }
                for (index, node) in list.enumerated() {
                    if let inner = YAMLMapping(node, path: "\(m.path).\(key)[\(index)]", allowedKeys: Self.conditionKeys, diagnostics: diagnostics) {
                        parts.append(conjunction(inner))
                    }
                }
                terms.append(key == "any" ? .any(parts) : .all(parts))
            }
        }
        if terms.isEmpty && !reported { m.error("a condition needs at least one of: \(Self.conditionKeys.joined(separator: ", "))") }
        return .allOf(terms)
    }

    // MARK: Backends

    func backend(name: String, keyNode: Node, node: Node) -> BackendConfiguration? {
        guard let m = YAMLMapping(
            node, path: "backends.\(name)",
            allowedKeys: ["srv", "servers", "balance", "health_check", "outlier_detection", "slow_start",
                          "panic_threshold", "pool", "retries", "max_requests_per_endpoint", "error_pages", "rules", "response_rules"],
            diagnostics: diagnostics
        ) else { return nil }
        let membership: BackendMembership
        switch (m["srv"], m["servers"]) {
        case (.some, .some), (nil, nil):
            m.error("a backend needs exactly one of `srv:` (DNS discovery) or `servers:` (a fixed list)")
            return nil
        case (.some, nil):
            guard let s = m.mapping("srv", allowedKeys: ["name", "resolver", "prefer", "server_prefix"]) else { return nil }
            guard let srvName = s.string("name"), let resolver = s.string("resolver") else {
                s.error("SRV discovery needs `name:` (e.g. _hello-world-service.internal) and `resolver:`")
                return nil
            }
            var srv = SRVMembership(name: srvName, resolver: resolver)
            srv.serverPrefix = s.string("server_prefix") ?? srv.serverPrefix
            if let prefer = s.string("prefer") {
                guard let value = SRVMembership.AddressPreference(rawValue: prefer) else {
                    diagnostics.error("\(s.path).prefer must be ipv4, ipv6 or both", at: s.location(of: "prefer"))
                    return nil
                }
                srv.addressPreference = value
            }
            membership = .srv(srv)
        case (nil, .some):
            var servers: [ServerConfiguration] = []
            for (index, serverNode) in (m.sequence("servers") ?? []).enumerated() {
                if let server = server(path: "\(m.path).servers[\(index)]", index: index, node: serverNode) { servers.append(server) }
            }
            if servers.isEmpty && m.sequence("servers") != nil { m.error("`servers:` is empty") }
            membership = .servers(servers)
        }
        var backend = BackendConfiguration(name: name, membership: membership, location: diagnostics.location(of: keyNode))
        if let b = m.mapping("balance", allowedKeys: ["strategy", "hash_key", "ignore_srv_weights", "load_factor"]) {
            if let strategy = b.string("strategy") {
                if let value = BalanceConfiguration.Strategy(rawValue: strategy) {
                    backend.balance.strategy = value
                } else {
                    diagnostics.error("\(b.path).strategy must be one of: \(BalanceConfiguration.Strategy.allCases.map(\.rawValue).joined(separator: ", "))", at: b.location(of: "strategy"))
                }
            }
            if let key = b.string("hash_key") {
                if let source = HashKeySource(configurationName: key) {
                    backend.balance.hashKey = source
                } else {
                    diagnostics.error("\(b.path).hash_key must be source, uri, uri:whole or header:NAME", at: b.location(of: "hash_key"))
                }
            }
            backend.balance.ignoreSRVWeights = b.bool("ignore_srv_weights") ?? false
            backend.balance.loadFactor = b.double("load_factor", in: 1.0...10.0) ?? backend.balance.loadFactor
        }
        if let h = m.mapping("health_check", allowedKeys: ["type", "path", "method", "host", "expect_status", "interval", "timeout", "rise", "fall"]) {
            backend.healthCheck = healthCheck(h)
        }
        if let o = m.mapping("outlier_detection", allowedKeys: ["consecutive_failures", "base_ejection", "max_ejection"]) {
            var d = OutlierDetectionConfiguration()
            d.consecutiveFailures = o.int("consecutive_failures", in: 0...1_000) ?? d.consecutiveFailures
            d.baseEjection = o.duration("base_ejection") ?? d.baseEjection
            d.maximumEjection = o.duration("max_ejection") ?? d.maximumEjection
            backend.outlierDetection = d
        }
        backend.slowStart = m.duration("slow_start")
        backend.panicThreshold = m.double("panic_threshold", in: 0...1) ?? backend.panicThreshold
        if let p = m.mapping("pool", allowedKeys: ["max_idle_per_endpoint", "idle_timeout"]) {
            backend.pool.maxIdlePerEndpoint = p.int("max_idle_per_endpoint", in: 0...100_000) ?? backend.pool.maxIdlePerEndpoint
            backend.pool.idleTimeout = p.duration("idle_timeout") ?? backend.pool.idleTimeout
        }
        backend.retries = m.int("retries", in: 0...10) ?? backend.retries
        if m.int("max_requests_per_endpoint", in: 1...10_000_000) != nil {
            diagnostics.error("\(m.path).max_requests_per_endpoint is not supported: proxyd neither limits nor queues requests per endpoint; limit connections with limits.max_connections or a listener's max_connections",
                              at: m.location(of: "max_requests_per_endpoint"))
        }
        backend.errorPages = YAMLErrorPagesReader(diagnostics: diagnostics).pages(in: m)
        for (ruleIndex, ruleNode) in (m.sequence("rules") ?? []).enumerated() {
            if let rule = rule(path: "\(m.path).rules[\(ruleIndex)]", node: ruleNode) { backend.requestRules.append(rule) }
        }
        backend.responseRules = responseRules(of: m)
        return backend
    }

    /// A server: `"127.0.0.1:8081"` or `{address: "10.0.0.5:80", weight: 2, backup: true, name: web1}`.
    func server(path: String, index: Int, node: Node) -> ServerConfiguration? {
        let location = diagnostics.location(of: node)
        if let text = node.scalar?.string {
            guard let address = parseServerAddress(text, at: node) else { return nil }
            return ServerConfiguration(name: "server\(index + 1)", host: address.host, port: address.port, location: location)
        }
        guard let m = YAMLMapping(node, path: path, allowedKeys: ["address", "weight", "backup", "name"], diagnostics: diagnostics) else { return nil }
        guard let text = m.string("address"), let addressNode = m["address"] else {
            m.error("a server needs `address: HOST:PORT`")
            return nil
        }
        guard let address = parseServerAddress(text, at: addressNode) else { return nil }
        var server = ServerConfiguration(name: m.string("name") ?? "server\(index + 1)", host: address.host, port: address.port, location: location)
        server.weight = m.int("weight", in: 0...256) ?? 1
        server.backup = m.bool("backup") ?? false
        return server
    }

    private func parseServerAddress(_ text: String, at node: Node) -> BindAddress? {
        do {
            let address = try BindAddress(parsing: text)
            if address.port == 0 {
                diagnostics.error("server address '\(text)' needs a port other than 0", at: node)
                return nil
            }
            return address
        } catch {
            diagnostics.error("\(error)", at: node)
            return nil
        }
    }

    func healthCheck(_ h: YAMLMapping) -> HealthCheckConfiguration? {
        let kind: HealthCheckConfiguration.Kind
        switch h.string("type") ?? "http" {
        case "tcp":
            for key in ["path", "method", "host", "expect_status"] where h[key] != nil {
                diagnostics.error("\(h.path).\(key) applies to HTTP checks only (type: tcp given)", at: h.location(of: key))
            }
            kind = .tcp
        case "http":
            let path = h.string("path") ?? "/"
            guard path.hasPrefix("/") else {
                diagnostics.error("\(h.path).path must start with '/'", at: h.location(of: "path"))
                return nil
            }
            var expected = 200...399
            if let text = h.string("expect_status") {
                guard let range = HealthCheckConfiguration.expectedStatus(parsing: text) else {
                    diagnostics.error("\(h.path).expect_status must be a status (200) or a range (200-399)", at: h.location(of: "expect_status"))
                    return nil
                }
                expected = range
            }
            kind = .http(method: h.string("method") ?? "GET", path: path, host: h.string("host"), expectedStatus: expected)
        case let other:
            diagnostics.error("\(h.path).type must be http or tcp, found '\(other)'", at: h.location(of: "type"))
            return nil
        }
        var check = HealthCheckConfiguration(kind: kind)
        check.interval = h.duration("interval") ?? check.interval
        check.timeout = h.duration("timeout") ?? check.timeout
        check.rise = h.int("rise", in: 1...100) ?? check.rise
        check.fall = h.int("fall", in: 1...100) ?? check.fall
        return check
    }


    // MARK: Resolvers

    func resolver(name: String, keyNode: Node, node: Node) -> ResolverSection? {
        guard let m = YAMLMapping(
            node, path: "resolvers.\(name)",
            allowedKeys: ["nameservers", "resolv_conf", "timeout", "attempts", "payload_size", "hold_on_failure",
                          "hold_on_nxdomain", "removal_grace", "min_ttl", "max_ttl"],
            diagnostics: diagnostics
        ) else { return nil }
        let nameservers: ResolverSection.Nameservers
        switch (m.strings("nameservers"), m.string("resolv_conf")) {
        case (let list?, nil):
            var addresses: [BindAddress] = []
            for text in list {
                do {
                    addresses.append(try BindAddress(parsingNameserver: text))
                } catch {
                    diagnostics.error("\(m.path).nameservers: \(error)", at: m.location(of: "nameservers"))
                }
            }
            if addresses.isEmpty && list.isEmpty { m.error("`nameservers:` is empty") }
            nameservers = .explicit(addresses)
        case (nil, let path?):
            nameservers = .resolvConf(path: path)
        default:
            m.error("a resolver needs exactly one of `nameservers:` (a list of ADDRESS[:PORT]) or `resolv_conf:` (a file path)")
            return nil
        }
        var section = ResolverSection(name: name, nameservers: nameservers, location: diagnostics.location(of: keyNode))
        section.timeout = m.duration("timeout") ?? section.timeout
        section.attempts = m.int("attempts", in: 1...10) ?? section.attempts
        section.payloadSize = m.int("payload_size", in: 512...65_535) ?? section.payloadSize
        section.holdOnFailure = m.duration("hold_on_failure") ?? section.holdOnFailure
        section.holdOnNXDomain = m.duration("hold_on_nxdomain") ?? section.holdOnNXDomain
        section.removalGrace = m.duration("removal_grace") ?? section.removalGrace
        section.minimumTTL = m.duration("min_ttl") ?? section.minimumTTL
        section.maximumTTL = m.duration("max_ttl") ?? section.maximumTTL
        return section
    }
}
