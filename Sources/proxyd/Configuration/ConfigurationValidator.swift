/// Checks what no single section can check on its own: names are unique, every reference
/// points at something that exists, and no two listeners want the same socket.
enum ConfigurationValidator {
    static func validate(_ configuration: ProxyConfiguration, into diagnostics: ConfigurationDiagnostics) {
        if configuration.listeners.isEmpty {
            diagnostics.error("no listeners: add at least one under `listeners:` (e.g. bind: 0.0.0.0:80)", at: SourceLocation(file: diagnostics.file, line: 1, column: 1))
        }
        var backendNames: Set<String> = []
        for backend in configuration.backends where !backendNames.insert(backend.name).inserted {
            diagnostics.error("backend '\(backend.name)' is defined twice", at: backend.location)
        }
        var resolverNames: Set<String> = []
        for resolver in configuration.resolvers where !resolverNames.insert(resolver.name).inserted {
            diagnostics.error("resolvers section '\(resolver.name)' is defined twice", at: resolver.location)
        }
        var listenerNames: Set<String> = []
        var binds: [BindAddress: String] = [:]
        var usedBackends: Set<String> = []
        for listener in configuration.listeners {
            if !listenerNames.insert(listener.name).inserted {
                diagnostics.error("listener name '\(listener.name)' is used twice", at: listener.location)
            }
            if let other = binds[listener.bind] {
                diagnostics.error("listener '\(listener.name)' binds \(listener.bind), already bound by '\(other)'", at: listener.location)
            }
            binds[listener.bind] = listener.name
            if let name = listener.defaultBackend {
                usedBackends.insert(name)
                if !backendNames.contains(name) {
                    diagnostics.error("listener '\(listener.name)' sends requests to backend '\(name)', which is not defined\(hint(name, in: backendNames))", at: listener.location)
                }
            }
            for route in listener.routes {
                usedBackends.insert(route.backend)
                if !backendNames.contains(route.backend) {
                    diagnostics.error("route to backend '\(route.backend)', which is not defined\(hint(route.backend, in: backendNames))", at: route.location)
                }
            }
            let redirectsEverything = listener.rules.contains {
                if case .redirectScheme = $0.action, $0.condition == .always { return true }
                return false
            }
            if listener.defaultBackend == nil && listener.routes.isEmpty && !redirectsEverything && listener.rules.allSatisfy({ !$0.action.isRedirect }) {
                diagnostics.warning("listener '\(listener.name)' has no backend and no redirect: every request gets 503", at: listener.location)
            }
        }
        for backend in configuration.backends {
            if case .srv(let srv) = backend.membership, !resolverNames.contains(srv.resolver) {
                diagnostics.error("backend '\(backend.name)' discovers through resolvers section '\(srv.resolver)', which is not defined\(hint(srv.resolver, in: resolverNames))", at: backend.location)
            }
            if !usedBackends.contains(backend.name) {
                diagnostics.warning("backend '\(backend.name)' is not used by any listener", at: backend.location)
            }
            if let check = backend.healthCheck, check.timeout > check.interval {
                diagnostics.warning("backend '\(backend.name)': health check timeout \(ConfigDuration.format(check.timeout)) exceeds its interval \(ConfigDuration.format(check.interval))", at: backend.location)
            }
        }
        for resolver in configuration.resolvers where resolver.minimumTTL > resolver.maximumTTL {
            diagnostics.error("resolvers section '\(resolver.name)': min_ttl is larger than max_ttl", at: resolver.location)
        }
    }

    /// ", did you mean 'X'?" when a defined name is one edit away (the common typo).
    static func hint(_ name: String, in names: Set<String>) -> String {
        let close = names.sorted().first { editDistance($0, name) <= 2 }
        return close.map { "; did you mean '\($0)'?" } ?? ""
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension RequestRuleAction {
    var isRedirect: Bool {
        switch self {
        case .redirectScheme, .redirectPrefix: true
        default: false
        }
    }
}
