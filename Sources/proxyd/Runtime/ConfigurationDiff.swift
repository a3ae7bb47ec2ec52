/// What a reload changes: which listening sockets are kept, opened or closed, which listeners'
/// connections can stay on their generation, and which backends keep their running state.
///
/// A pure function of two configurations, so the reload's decisions are tested without a
/// socket. Identity rules:
/// - A listener is its bind address: an unchanged `bind` keeps its listening socket (no
///   window where connections are refused), whatever else changed. A kept listener is
///   *unchanged* when its own settings, the global timeouts and limits and every backend it
///   can route to are unchanged; its open connections then need no new generation.
/// - A backend is its name: it is *kept* (same ``BackendGroup`` — endpoint table, health,
///   pools, its DNS watcher and health checker keep running) when its settings and, for SRV,
///   its resolver section are unchanged; otherwise it is *replaced* by a fresh one.
/// Source locations never count: moving a block in the file changes nothing.
struct ConfigurationDiff: Sendable, Equatable {
    /// Binds present in both, in the new file's order.
    var keptListeners: [BindAddress] = []
    /// Kept binds whose connections can keep their generation (nothing they use changed).
    var unchangedListeners: Set<BindAddress> = []
    var addedListeners: [BindAddress] = []
    var removedListeners: [BindAddress] = []
    var keptBackends: [String] = []
    var replacedBackends: [String] = []
    var addedBackends: [String] = []
    var removedBackends: [String] = []
    /// Settings that only take effect at the next start (`threads`, `user`), by key.
    var needsRestart: [String] = []

    init(from old: ProxyConfiguration, to new: ProxyConfiguration) {
        for backend in new.backends {
            guard let previous = old.backend(named: backend.name) else {
                addedBackends.append(backend.name)
                continue
            }
            if Self.sameBackend(previous, in: old, backend, in: new) {
                keptBackends.append(backend.name)
            } else {
                replacedBackends.append(backend.name)
            }
        }
        removedBackends = old.backends.map(\.name).filter { new.backend(named: $0) == nil }

        let kept = Set(keptBackends)
        let globalsUnchanged = old.timeouts == new.timeouts && old.limits == new.limits
        let oldByBind = Dictionary(old.listeners.map { ($0.bind, $0) }, uniquingKeysWith: { first, _ in first })
        for listener in new.listeners {
            guard let previous = oldByBind[listener.bind] else {
                addedListeners.append(listener.bind)
                continue
            }
            keptListeners.append(listener.bind)
            let usesOnlyKeptBackends = Self.backendNames(of: listener).allSatisfy { kept.contains($0) }
            if globalsUnchanged && usesOnlyKeptBackends && previous.ignoringLocations == listener.ignoringLocations {
                unchangedListeners.insert(listener.bind)
            }
        }
        let newBinds = Set(new.listeners.map(\.bind))
        removedListeners = old.listeners.map(\.bind).filter { !newBinds.contains($0) }

        if old.threads != new.threads { needsRestart.append("threads") }
        if old.user != new.user { needsRestart.append("user") }
        if old.group != new.group { needsRestart.append("group") }
        if old.chroot != new.chroot { needsRestart.append("chroot") }
        // Made once at start: the access log (its file, format and syslog targets), the
        // admin listener, the runtime API socket, the pidfile and the open-file limit.
        if old.accessLog != new.accessLog { needsRestart.append("access_log") }
        if old.admin != new.admin { needsRestart.append("admin") }
        if old.statsSocket != new.statsSocket { needsRestart.append("stats_socket") }
        if old.pidFile != new.pidFile { needsRestart.append("pid_file") }
        if old.openFileLimit != new.openFileLimit { needsRestart.append("open_file_limit") }
    }

    /// Whether nothing at all changes for the running proxy.
    var isEmpty: Bool {
        addedListeners.isEmpty && removedListeners.isEmpty && unchangedListeners.count == keptListeners.count
            && replacedBackends.isEmpty && addedBackends.isEmpty && removedBackends.isEmpty
    }

    /// Every backend a listener can send a request to.
    static func backendNames(of listener: ListenerConfiguration) -> [String] {
        listener.routes.map(\.backend) + (listener.defaultBackend.map { [$0] } ?? [])
    }

    private static func sameBackend(_ old: BackendConfiguration, in oldConfiguration: ProxyConfiguration,
                                    _ new: BackendConfiguration, in newConfiguration: ProxyConfiguration) -> Bool {
        guard old.ignoringLocations == new.ignoringLocations else { return false }
        guard case .srv(let srv) = new.membership else { return true }
        // Same SRV name and resolver name: the resolver section itself must be unchanged too,
        // or the running watcher would keep asking the old nameservers.
        return oldConfiguration.resolver(named: srv.resolver)?.ignoringLocations
            == newConfiguration.resolver(named: srv.resolver)?.ignoringLocations
    }
}

/// Every configuration value compares with its source location blanked, so that only what it
/// means counts when deciding what a reload changes.
private let nowhere = SourceLocation(file: "", line: 0, column: nil)

extension ListenerConfiguration {
    var ignoringLocations: ListenerConfiguration {
        var copy = self
        copy.location = nowhere
        copy.rules = rules.map { rule in
            var rule = rule
            rule.location = nowhere
            return rule
        }
        copy.routes = routes.map { route in
            var route = route
            route.location = nowhere
            return route
        }
        copy.responseRules = responseRules.map(\.ignoringLocation)
        return copy
    }
}

extension BackendConfiguration {
    var ignoringLocations: BackendConfiguration {
        var copy = self
        copy.location = nowhere
        copy.requestRules = requestRules.map(\.ignoringLocation)
        copy.responseRules = responseRules.map(\.ignoringLocation)
        if case .servers(let servers) = membership {
            copy.membership = .servers(servers.map { server in
                var server = server
                server.location = nowhere
                return server
            })
        }
        return copy
    }
}

extension ResolverSection {
    var ignoringLocations: ResolverSection {
        var copy = self
        copy.location = nowhere
        return copy
    }
}

extension RequestRule {
    var ignoringLocation: RequestRule {
        var copy = self
        copy.location = nowhere
        return copy
    }
}

extension ResponseRule {
    var ignoringLocation: ResponseRule {
        var copy = self
        copy.location = nowhere
        return copy
    }
}
