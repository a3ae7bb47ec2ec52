import Yams

/// Writes a ``ProxyConfiguration`` as proxyd's native YAML, every default spelled out.
///
/// `proxyd check` prints this to show what a file resolved to, and `proxyd convert` prints it
/// for a haproxy.cfg; reading the output back yields the same model (tested), so a converted
/// file behaves exactly like its source.
enum ConfigurationYAMLWriter {
    static func yaml(for configuration: ProxyConfiguration) throws -> String {
        try Yams.serialize(node: node(for: configuration), sortKeys: false)
    }

    static func node(for c: ProxyConfiguration) -> Node {
        var pairs: [(Node, Node)] = []
        let sharedPages = sharedErrorPages(of: c)
        if !c.resolvers.isEmpty {
            pairs.append(("resolvers", .mapping(.init(c.resolvers.map { (Node($0.name), node(for: $0)) }))))
        }
        if !c.backends.isEmpty {
            pairs.append(("backends", .mapping(.init(c.backends.map { (Node($0.name), node(for: $0, sharedPages: sharedPages)) }))))
        }
        pairs.append(("listeners", .sequence(.init(c.listeners.map { node(for: $0, sharedPages: sharedPages) }))))
        let t = c.timeouts
        pairs.append(("timeouts", map([
            ("connect", duration(t.connect)), ("client", duration(t.client)), ("server", duration(t.server)),
            ("request_head", duration(t.requestHead)), ("keep_alive", duration(t.keepAlive)),
            ("tunnel", duration(t.tunnel)), ("shutdown_grace", duration(t.shutdownGrace)),
        ])))
        let l = c.limits
        var limits: [(String, Node)] = [
            ("max_connections", int(l.maxConnections)), ("max_request_line", int(l.maxRequestLine)),
            ("max_header_bytes", int(l.maxHeaderBytes)), ("max_headers", int(l.maxHeaders)),
        ]
        if let body = l.maxBodyBytes { limits.append(("max_body_bytes", int(body))) }
        pairs.append(("limits", map(limits)))
        if let admin = c.admin {
            var entries: [(String, Node)] = [("bind", Node(admin.bind.description))]
            if let token = admin.token { entries.append(("token", Node(token, .implicit, .doubleQuoted))) }
            pairs.append(("admin", map(entries)))
        }
        if let socket = c.statsSocket { pairs.append(("stats_socket", node(for: socket))) }
        if let log = c.accessLog {
            var entries: [(String, Node)] = [("format", Node(log.format.rawValue))]
            if let path = log.path { entries.append(("path", Node(path))) }
            if log.logNullConnections { entries.append(("log_null_connections", Node("true"))) }
            if let syslog = log.syslog { entries.append(("syslog", syslogNode(syslog))) }
            pairs.append(("access_log", map(entries)))
        }
        if let threads = c.threads { pairs.append(("threads", int(threads))) }
        if let user = c.user { pairs.append(("user", Node(user))) }
        if let group = c.group { pairs.append(("group", Node(group))) }
        if let pidFile = c.pidFile { pairs.append(("pid_file", Node(pidFile))) }
        if let limit = c.openFileLimit { pairs.append(("open_file_limit", int(limit))) }
        if let chroot = c.chroot { pairs.append(("chroot", Node(chroot))) }
        if let (key, pages) = errorPagesEntry(sharedPages) { pairs.append((Node(key), pages)) }
        return .mapping(.init(pairs))
    }

    static func node(for s: StatsSocketConfiguration) -> Node {
        var entries: [(String, Node)] = [("path", Node(s.path))]
        if let mode = s.mode { entries.append(("mode", Node(StatsSocketConfiguration.formatMode(mode), .implicit, .doubleQuoted))) }
        entries.append(("level", Node(s.level.rawValue)))
        if let owner = s.owner { entries.append(("user", Node(owner, .implicit, .doubleQuoted))) }
        if let group = s.group { entries.append(("group", Node(group, .implicit, .doubleQuoted))) }
        entries += [("timeout", duration(s.idleTimeout)), ("max_connections", int(s.maxConnections))]
        return map(entries)
    }

    static func node(for r: ResolverSection) -> Node {
        var entries: [(String, Node)] = []
        switch r.nameservers {
        case .explicit(let addresses): entries.append(("nameservers", .sequence(.init(addresses.map { Node($0.description) }))))
        case .resolvConf(let path): entries.append(("resolv_conf", Node(path)))
        }
        entries += [
            ("timeout", duration(r.timeout)), ("attempts", int(r.attempts)), ("payload_size", int(r.payloadSize)),
            ("hold_on_failure", duration(r.holdOnFailure)), ("hold_on_nxdomain", duration(r.holdOnNXDomain)),
            ("removal_grace", duration(r.removalGrace)), ("min_ttl", duration(r.minimumTTL)), ("max_ttl", duration(r.maximumTTL)),
        ]
        return map(entries)
    }

    static func node(for b: BackendConfiguration, sharedPages: [Int: ErrorPage] = [:]) -> Node {
        var entries: [(String, Node)] = []
        switch b.membership {
        case .srv(let srv):
            entries.append(("srv", map([("name", Node(srv.name)), ("resolver", Node(srv.resolver)), ("prefer", Node(srv.addressPreference.rawValue)),
                                     ("server_prefix", Node(srv.serverPrefix, .implicit, .doubleQuoted))])))
        case .servers(let servers):
            entries.append(("servers", .sequence(.init(servers.map { server in
                map([("name", Node(server.name)), ("address", Node(BindAddress(host: server.host, port: server.port).description)),
                     ("weight", int(server.weight)), ("backup", bool(server.backup))])
            }))))
        }
        entries.append(("balance", map([
            ("strategy", Node(b.balance.strategy.rawValue)), ("hash_key", Node(b.balance.hashKey.configurationName)),
            ("ignore_srv_weights", bool(b.balance.ignoreSRVWeights)), ("load_factor", Node(String(b.balance.loadFactor))),
        ])))
        if let check = b.healthCheck {
            var h: [(String, Node)] = []
            switch check.kind {
            case .tcp:
                h.append(("type", Node("tcp")))
            case .http(let method, let path, let host, let expected):
                h += [("type", Node("http")), ("method", Node(method)), ("path", Node(path))]
                if let host { h.append(("host", Node(host))) }
                let status = expected.lowerBound == expected.upperBound ? "\(expected.lowerBound)" : "\(expected.lowerBound)-\(expected.upperBound)"
                h.append(("expect_status", Node(status, .implicit, .doubleQuoted)))
            }
            h += [("interval", duration(check.interval)), ("timeout", duration(check.timeout)), ("rise", int(check.rise)), ("fall", int(check.fall))]
            entries.append(("health_check", map(h)))
        }
        let o = b.outlierDetection
        entries.append(("outlier_detection", map([
            ("consecutive_failures", int(o.consecutiveFailures)), ("base_ejection", duration(o.baseEjection)), ("max_ejection", duration(o.maximumEjection)),
        ])))
        if let slowStart = b.slowStart { entries.append(("slow_start", duration(slowStart))) }
        entries.append(("panic_threshold", Node(String(b.panicThreshold))))
        entries.append(("pool", map([("max_idle_per_endpoint", int(b.pool.maxIdlePerEndpoint)), ("idle_timeout", duration(b.pool.idleTimeout))])))
        entries.append(("retries", int(b.retries)))
        if let pages = errorPagesEntry(b.errorPages, except: sharedPages) { entries.append(pages) }
        entries += ruleEntries(request: b.requestRules, response: b.responseRules)
        return map(entries)
    }

    static func node(for l: ListenerConfiguration, sharedPages: [Int: ErrorPage] = [:]) -> Node {
        var entries: [(String, Node)] = [("name", Node(l.name)), ("bind", Node(l.bind.description))]
        if let tls = l.tls {
            var t: [(String, Node)] = [("certificates", .sequence(.init(tls.certificates.map { Node($0) })))]
            if let defaultCertificate = tls.defaultCertificate { t.append(("default_certificate", Node(defaultCertificate))) }
            t += [("alpn", .sequence(.init(tls.alpn.map { Node($0) }))), ("min_version", Node(tls.minimumVersion))]
            if tls.maximumVersion != ListenerTLSConfiguration(certificates: []).maximumVersion { t.append(("max_version", Node(tls.maximumVersion))) }
            for (key, value) in [("ciphers", tls.ciphers), ("ciphersuites", tls.ciphersuites), ("curves", tls.curves), ("sigalgs", tls.signatureAlgorithms)] {
                if let value { t.append((key, Node(value))) }
            }
            if !tls.sessionTickets { t.append(("session_tickets", bool(false))) }
            if tls.preferServerCiphers { t.append(("prefer_server_ciphers", bool(true))) }
            entries.append(("tls", map(t)))
        }
        if !l.rules.isEmpty { entries.append(("rules", .sequence(.init(l.rules.map(node(for:)))))) }
        entries += ruleEntries(request: [], response: l.responseRules)
        if !l.routes.isEmpty {
            entries.append(("routes", .sequence(.init(l.routes.map { route in
                map([("backend", Node(route.backend))] + conditionEntries(route.condition))
            }))))
        }
        if let backend = l.defaultBackend { entries.append(("backend", Node(backend))) }
        entries += [("forwarded_headers", bool(l.forwardedHeaders)), ("forwarded_rfc7239", bool(l.rfc7239Forwarded))]
        if let max = l.maxConnections { entries.append(("max_connections", int(max))) }
        if let pages = errorPagesEntry(l.errorPages, except: sharedPages) { entries.append(pages) }
        return map(entries)
    }

    static func node(for rule: RequestRule) -> Node {
        var entries: [(String, Node)]
        switch rule.action {
        case .redirectScheme(let scheme, let code, let port):
            var redirect: [(String, Node)] = [("scheme", Node(scheme)), ("code", int(code))]
            if let port { redirect.append(("port", int(port))) }
            entries = [("redirect", map(redirect))]
        case .redirectPrefix(let prefix, let code): entries = [("redirect", map([("prefix", Node(prefix)), ("code", int(code))]))]
        case .addHeader(let name, let value): entries = [("add_header", map([("name", Node(name)), ("value", Node(value.description, .implicit, .doubleQuoted))]))]
        case .setHeader(let name, let value): entries = [("set_header", map([("name", Node(name)), ("value", Node(value.description, .implicit, .doubleQuoted))]))]
        case .removeHeader(let name): entries = [("remove_header", Node(name))]
        case .deny, .respond, .allow: entries = answeringEntries(rule.action)
        }
        return map(entries + conditionEntries(rule.condition))
    }

    /// Writes a condition as one `when:` expression (see the loader for its keys).
    static func conditionEntries(_ condition: RuleCondition) -> [(String, Node)] {
        if condition == .always { return [] }
        return [("when", expression(condition))]
    }

    /// A condition as a mapping: a conjunction becomes one key per term when the keys do not
    /// repeat (the loader reads them back in order), otherwise an explicit `all:` list.
    private static func expression(_ condition: RuleCondition) -> Node {
        map(terms(condition))
    }

    private static func terms(_ condition: RuleCondition) -> [(String, Node)] {
        switch condition {
        case .always: return [("all", .sequence(.init([])))]
        case .tls: return [("tls", bool(true))]
        case .not(.tls): return [("tls", bool(false))]
        case .pathPrefix(let prefixes): return [("path_prefix", .sequence(.init(prefixes.map { Node($0) })))]
        case .host(let hosts): return [("host", .sequence(.init(hosts.map { Node($0) })))]
        case .source, .method, .sample: return criterionTerms(condition)
        case .not(let inner): return [("not", expression(inner))]
        case .any(let parts): return [("any", .sequence(.init(parts.map(expression))))]
        case .all(let parts):
            let merged = parts.flatMap(terms)
            let keys = merged.map(\.0)
            if merged.count == parts.count, Set(keys).count == keys.count { return merged }
            return [("all", .sequence(.init(parts.map(expression))))]
        }
    }

    private static func map(_ entries: [(String, Node)]) -> Node { .mapping(.init(entries.map { (Node($0.0), $0.1) })) }
    private static func int(_ value: Int) -> Node { Node(String(value)) }
    private static func bool(_ value: Bool) -> Node { Node(value ? "true" : "false") }
    private static func duration(_ value: Duration) -> Node { Node(ConfigDuration.format(value)) }
}
