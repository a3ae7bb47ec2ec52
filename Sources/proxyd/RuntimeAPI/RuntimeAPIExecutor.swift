import Foundation

/// Answers runtime API commands from the running proxy: reads go through the same
/// ``ProxyInspector`` views as the JSON admin API and the stats page, and `set server` /
/// `enable` / `disable` apply the same ``BackendGroup/Override``s as
/// `POST /api/backends/B/endpoints/ID/…` — one implementation behind both.
///
/// Answers are HAProxy's texts without the empty line that ends every answer (the session
/// adds it). Level checks are the session's (``RuntimeAPISession``).
struct RuntimeAPIExecutor: Sendable {
    let inspector: ProxyInspector
    /// The process facts of `show info`, read when asked.
    let process: @Sendable () -> RuntimeAPIProcessFacts

    /// The answer to one command.
    func answer(_ command: RuntimeAPICommand) async -> String {
        switch command {
        case .help: return RuntimeAPIHelp.text
        case .unknown(let words): return RuntimeAPIHelp.unknown(words)
        case .usage(let message): return message + "\n"
        case .showInfo: return HAProxyShowInfo.render(await snapshot())
        case .showStat(let filter): return HAProxyStatCSV.render(await snapshot(), filter: filter)
        case .showServersState(let backend):
            return HAProxyServersState.render(await snapshot(), backend: backend) ?? "Can't find backend.\n"
        case .showResolvers(let section):
            return HAProxyShowResolvers.render(await snapshot(), section: section) ?? "Can't find that resolvers section\n"
        case .showBackend:
            return "# name\n" + inspector.backends.map { $0.name + "\n" }.joined()
        case .showFrontend:
            return "# name\n" + inspector.configuration.listeners.map { $0.name + "\n" }.joined()
        case .getWeight(let backend, let server):
            guard let endpoint = await find(backend: backend, server: server) else { return notFound(backend) }
            return "\(endpoint.weightOverride ?? endpoint.weight) (initial \(endpoint.weight))\n"
        case .setServerState(let backend, let server, let state):
            let override: BackendGroup.Override = switch state {
            case .ready: .enable
            case .drain: .drain
            case .maint: .maintenance
            }
            return apply(override, backend: backend, server: server)
        case .enableServer(let backend, let server):
            return apply(.enable, backend: backend, server: server)
        case .disableServer(let backend, let server):
            return apply(.maintenance, backend: backend, server: server)
        case .setServerWeight(let backend, let server, let weight):
            guard let endpoint = await find(backend: backend, server: server) else { return notFound(backend) }
            let value: Int
            switch weight {
            case .absolute(let absolute):
                // proxyd's weights are SRV weights (RFC 2782: 0-65535), not HAProxy's 0-256.
                guard absolute <= Int(UInt16.max) else { return "Absolute weight can only be between 0 and 65535 inclusive.\n" }
                value = absolute
            case .percent(let percent):
                value = min(Int(UInt16.max), endpoint.weight * percent / 100)
            }
            return apply(.weight(UInt16(value)), backend: backend, server: server)
        case .prompt, .quit, .lowerLevel, .showCLILevel:
            return ""
        }
    }

    /// What the `show` commands print, taken now.
    func snapshot() async -> RuntimeAPISnapshot {
        let counters = await inspector.requestCounters()
        let status = await inspector.status(counters: counters)
        return RuntimeAPISnapshot(
            status: status, counters: counters.snapshot, counterBackendNames: counters.backendNames,
            configuration: inspector.configuration, resolvers: inspector.resolverStatuses(), process: process())
    }

    private func apply(_ override: BackendGroup.Override, backend: String, server: String) -> String {
        switch inspector.apply(override, backend: backend, endpoint: server) {
        case .applied: return ""
        case .unknownBackend: return "No such backend.\n"
        case .unknownEndpoint: return "No such server.\n"
        case .refused(let reason): return reason + "\n"
        }
    }

    private func find(backend: String, server: String) async -> ProxyStatus.Endpoint? {
        let status = await inspector.status()
        return status.backends.first { $0.name == backend }?.endpoints.first { $0.name == server || $0.id == server }
    }

    private func notFound(_ backend: String) -> String {
        inspector.backends.contains { $0.name == backend } ? "No such server.\n" : "No such backend.\n"
    }
}
