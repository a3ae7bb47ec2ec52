/// Turns the proxy sections of a haproxy.cfg into listeners, backends and the process-wide
/// timeouts of ``ProxyConfiguration``, checking every reference at the line that makes it.
///
/// Where HAProxy sets something per section and proxyd once for the process (timeouts) or once
/// per backend (health check parameters, per-endpoint limit), differing values are merged to the
/// most forgiving one with a warning at each line that loses.
struct HAProxyModelBuilder {
    let diagnostics: ConfigurationDiagnostics
    /// The resolvers sections that were defined.
    let resolvers: Set<String>

    func build(_ proxies: [HAProxyProxy], into configuration: inout ProxyConfiguration) {
        // A section whose server lines were refused still counts as defined, so one mistake
        // is reported once rather than again at every reference to its backend.
        let backendSections = proxies.filter { $0.section.kind == .backend || ($0.section.kind == .listen && Self.hasServerLines($0)) }
        let backendNames = Set(backendSections.map(\.section.name))
        var forwardForBackends: Set<String> = []
        for proxy in backendSections {
            if proxy.settings.forwardFor?.value == true { forwardForBackends.insert(proxy.section.name) }
            if let backend = backend(proxy) { configuration.backends.append(backend) }
        }
        for proxy in proxies where proxy.section.kind == .frontend || proxy.section.kind == .listen {
            configuration.listeners += listeners(proxy, backendNames: backendNames, forwardForBackends: forwardForBackends)
        }
        checkRulesOfRoutingListens(proxies)
        configuration.timeouts = timeouts(proxies, base: configuration.timeouts)
    }

    static func hasServerLines(_ proxy: HAProxyProxy) -> Bool {
        proxy.section.directives.contains { $0.keyword == "server" || $0.keyword == "server-template" }
    }

    // MARK: Listeners

    private func listeners(_ proxy: HAProxyProxy, backendNames: Set<String>, forwardForBackends: Set<String>) -> [ListenerConfiguration] {
        let name = proxy.section.name
        // A section that only serves HAProxy's stats page (`listen stats` / `stats enable`) would
        // become a listener answering 503; proxyd's stats page lives on the admin listener.
        let servesStats = proxy.section.directives.contains { $0.keyword == "stats" && ["enable", "uri"].contains($0.arguments.first) }
        if servesStats && proxy.routes.isEmpty && proxy.settings.defaultBackend == nil && !Self.hasServerLines(proxy) {
            diagnostics.warning("\(proxy.section.label) only serves HAProxy's stats page and is not translated; proxyd's stats page, metrics and admin API are on the admin listener (127.0.0.1:9901 unless configured)", line: proxy.section.line)
            return []
        }
        var defaultBackend = proxy.settings.defaultBackend?.value
        if proxy.section.kind == .listen && Self.hasServerLines(proxy) {
            defaultBackend = name
        } else if let reference = proxy.settings.defaultBackend, !backendNames.contains(reference.value) {
            diagnostics.error("default_backend '\(reference.value)' is not defined\(ConfigurationValidator.hint(reference.value, in: backendNames))", line: reference.line)
        }
        for route in proxy.routes where !backendNames.contains(route.backend) {
            diagnostics.error("use_backend '\(route.backend)' is not defined\(ConfigurationValidator.hint(route.backend, in: backendNames))", at: route.location)
        }
        if proxy.binds.isEmpty {
            if !proxy.section.directives.contains(where: { $0.keyword == "bind" }) {
                diagnostics.error("\(proxy.section.label) has no bind line; add one, e.g. bind :80", line: proxy.section.line)
            }
            return []
        }
        // HAProxy adds X-Forwarded-For when the frontend or the backend that serves the request
        // has `option forwardfor`; proxyd decides per listener.
        let routed = Set([defaultBackend].compactMap { $0 } + proxy.routes.map(\.backend))
        let forwarded = proxy.settings.forwardFor?.value ?? !routed.isDisjoint(with: forwardForBackends)
        if let maxconn = proxy.settings.maxConnections, proxy.binds.count > 1 {
            diagnostics.warning("maxconn \(maxconn.value) applies to each of the \(proxy.binds.count) listeners of \(proxy.section.label) (HAProxy shares it between the binds)", line: maxconn.line)
        }
        return proxy.binds.enumerated().map { index, bind in
            var listener = ListenerConfiguration(
                name: proxy.binds.count == 1 ? name : "\(name)-\(index + 1)",
                bind: bind.address,
                location: diagnostics.location(line: bind.line)
            )
            listener.tls = bind.tls
            if !Self.rulesRunOnBackend(proxy) {
                listener.rules = proxy.httpRequestRules + proxy.redirectRules
                listener.responseRules = proxy.httpResponseRules
            }
            listener.routes = proxy.routes
            listener.defaultBackend = defaultBackend
            listener.forwardedHeaders = forwarded
            listener.maxConnections = proxy.settings.maxConnections?.value
            listener.errorPages = proxy.settings.errorPages
            return listener
        }
    }

    // MARK: Backends

    private func backend(_ proxy: HAProxyProxy) -> BackendConfiguration? {
        let name = proxy.section.name
        let defaultServer = proxy.settings.defaultServer
        let membership: BackendMembership
        let options: [(name: String, options: HAProxyServerOptions, line: Int)]
        if let template = proxy.templates.first {
            let effective = template.options.over(defaultServer)
            guard let resolver = effective.resolvers else {
                diagnostics.error("server-template '\(template.prefix)' needs 'resolvers NAME' to follow \(template.srvName)", line: template.line)
                return nil
            }
            guard resolvers.contains(resolver) else {
                diagnostics.error("resolvers section '\(resolver)' is not defined\(ConfigurationValidator.hint(resolver, in: resolvers))", line: template.line)
                return nil
            }
            diagnostics.warning("server-template '\(template.prefix)' asks for \(template.count) slots; proxyd has no slots: every target of \(template.srvName) is used, however many", line: template.line)
            membership = .srv(SRVMembership(name: template.srvName, resolver: resolver, addressPreference: effective.resolvePrefer ?? .ipv4, serverPrefix: template.prefix))
            options = [(template.prefix, effective, template.line)]
        } else if !proxy.servers.isEmpty {
            var servers: [ServerConfiguration] = []
            for server in proxy.servers {
                let effective = server.options.over(defaultServer)
                if let resolver = effective.resolvers {
                    if !resolvers.contains(resolver) {
                        diagnostics.error("resolvers section '\(resolver)' is not defined\(ConfigurationValidator.hint(resolver, in: resolvers))", line: server.line)
                    } else if !Self.isIPAddress(server.address.host) {
                        diagnostics.warning("server '\(server.name)': proxyd does not re-resolve a fixed server's name through resolvers '\(resolver)'; follow DNS with server-template on an SRV name", line: server.line)
                    }
                }
                var model = ServerConfiguration(name: server.name, host: server.address.host, port: server.address.port, location: diagnostics.location(line: server.line))
                model.weight = effective.weight ?? 1
                model.backup = effective.backup ?? false
                servers.append(model)
            }
            membership = .servers(servers)
            options = proxy.servers.map { ($0.name, $0.options.over(defaultServer), $0.line) }
        } else {
            if !Self.hasServerLines(proxy) {
                diagnostics.error("backend '\(name)' has no server or server-template line", line: proxy.section.line)
            }
            return nil
        }
        var backend = BackendConfiguration(name: name, membership: membership, location: diagnostics.location(line: proxy.section.line))
        if let balance = proxy.settings.balance?.value { backend.balance = balance }
        backend.balance.ignoreSRVWeights = options.contains { $0.options.ignoreWeight == true }
        if let retries = proxy.settings.retries { backend.retries = retries }
        if Self.rulesRunOnBackend(proxy) {
            backend.requestRules = proxy.httpRequestRules + proxy.redirectRules
            backend.responseRules = proxy.httpResponseRules
        }
        if proxy.settings.serverClose?.value == true { backend.pool.maxIdlePerEndpoint = 0 }
        backend.errorPages = proxy.settings.errorPages
        backend.healthCheck = healthCheck(proxy, options: options)
        backend.slowStart = agreed(\.slowStart, options, what: "slowstart", backend: name, keep: max)
        return backend
    }

    /// One value for the backend from per-server values: the one they agree on, or `keep` of
    /// them with a warning at each server that differs.
    private func agreed<Value: Comparable>(_ key: KeyPath<HAProxyServerOptions, Value?>, _ options: [(name: String, options: HAProxyServerOptions, line: Int)], what: String, backend: String, keep: (Value, Value) -> Value) -> Value? {
        let values = options.compactMap { $0.options[keyPath: key] }
        guard let first = values.first else { return nil }
        let chosen = values.dropFirst().reduce(first, keep)
        for server in options where server.options[keyPath: key] != chosen {
            let written = if let value = server.options[keyPath: key] { Self.configurationText(value) } else { "none" }
            diagnostics.warning("server '\(server.name)': \(what) \(written) differs from the backend's \(Self.configurationText(chosen)); proxyd applies one \(what) to every endpoint of a backend", line: server.line)
        }
        return chosen
    }

    /// A value as the configuration writes it (`10s`, not `10.0 seconds`).
    private static func configurationText<Value>(_ value: Value) -> String {
        if let duration = value as? Duration { return ConfigDuration.format(duration) }
        return "\(value)"
    }

    private func healthCheck(_ proxy: HAProxyProxy, options: [(name: String, options: HAProxyServerOptions, line: Int)]) -> HealthCheckConfiguration? {
        let checked = options.filter { $0.options.check == true }
        guard let model = checked.first else {
            if let request = proxy.settings.checkRequest, proxy.section.directives.contains(where: { $0.number == request.line }) {
                diagnostics.warning("option httpchk has no effect: no server of backend '\(proxy.section.name)' has 'check'", line: request.line)
            }
            return nil
        }
        for server in options where server.options.check != true {
            diagnostics.warning("server '\(server.name)' has no 'check', but proxyd checks every endpoint of backend '\(proxy.section.name)' alike", line: server.line)
        }
        for server in checked.dropFirst()
        where server.options.interval != model.options.interval || server.options.rise != model.options.rise || server.options.fall != model.options.fall {
            diagnostics.warning("server '\(server.name)': inter/rise/fall differ from server '\(model.name)'; proxyd checks every endpoint of a backend alike, with '\(model.name)''s", line: server.line)
        }
        let kind: HealthCheckConfiguration.Kind
        if let request = proxy.settings.checkRequest?.value {
            kind = .http(method: request.method, path: request.path, host: request.host, expectedStatus: proxy.settings.expectedStatus ?? 200...399)
        } else {
            kind = .tcp
        }
        var check = HealthCheckConfiguration(kind: kind)
        check.interval = model.options.interval ?? check.interval
        check.rise = model.options.rise ?? check.rise
        check.fall = model.options.fall ?? check.fall
        // HAProxy: without `timeout check`, a check may take the whole interval.
        check.timeout = proxy.settings.timeouts["check"]?.value ?? check.interval
        return check
    }

    private static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { $0.allSatisfy(\.isNumber) })
    }

    // MARK: Timeouts

    private static var frontTimeouts: [(String, WritableKeyPath<TimeoutConfiguration, Duration>)] {[
        ("client", \.client), ("http-request", \.requestHead), ("http-keep-alive", \.keepAlive),
    ]}
    private static var backTimeouts: [(String, WritableKeyPath<TimeoutConfiguration, Duration>)] {[
        ("connect", \.connect), ("server", \.server), ("tunnel", \.tunnel),
    ]}

    /// proxyd has one value of each timeout for the process: the longest that any frontend
    /// (client side) or backend (server side) sets, with a warning at each line that differs.
    private func timeouts(_ proxies: [HAProxyProxy], base: TimeoutConfiguration) -> TimeoutConfiguration {
        var timeouts = base
        for (sideKinds, table) in [([HAProxySection.Kind.frontend, .listen], Self.frontTimeouts), ([.backend, .listen], Self.backTimeouts)] {
            for (name, keyPath) in table {
                var values: [(value: Duration, line: Int, label: String)] = []
                for proxy in proxies where sideKinds.contains(proxy.section.kind) {
                    if let setting = proxy.settings.timeouts[name] { values.append((setting.value, setting.line, proxy.section.label)) }
                }
                guard let longest = values.map(\.value).max() else { continue }
                timeouts[keyPath: keyPath] = longest
                var warned: Set<Int> = []
                for value in values where value.value != longest && warned.insert(value.line).inserted {
                    diagnostics.warning("timeout \(name) \(ConfigDuration.format(value.value)) (\(value.label)) differs from \(ConfigDuration.format(longest)) elsewhere; proxyd has one timeout \(name) and uses the longest", line: value.line)
                }
            }
        }
        return timeouts
    }
}
