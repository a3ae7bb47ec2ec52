import Logging
import NIOCore
import TLSTerm

extension ProxyRuntime {
    /// Reads the configuration file the proxy was started with again and applies it (SIGHUP;
    /// `systemctl reload proxyd`). See ``reload(configuration:)``.
    @discardableResult
    func reload() async throws(ReloadError) -> ReloadSummary {
        guard let path = configurationPath else { throw refuse(.noConfigurationFile) }
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigurationFile.load(path: path, pinned: pinnedDirectories)
        } catch {
            throw refuse(.configuration(error))
        }
        return try await reload(configuration: loaded.configuration, warnings: loaded.warnings.map(\.description))
    }

    /// Swaps in `configuration` without dropping a connection, or refuses it and leaves the
    /// running one untouched. Logged either way (a refusal with the file and line to fix) and
    /// counted in ``reloads``. For the admin API as well as SIGHUP.
    ///
    /// - Unchanged binds keep their listening socket; new connections get the new rules,
    ///   backends and certificates. New binds are opened; removed ones stop accepting.
    /// - Open connections keep the generation they were accepted with; when it was replaced
    ///   they close after their current (or, if idle, next) exchange, with `Connection: close`.
    /// - Unchanged backends keep everything (endpoints, health, pools, DNS watcher, checker);
    ///   changed and removed ones are stopped and their pools closed once idle.
    /// - Certificates of kept TLS listeners are read again from disk (first, so a broken file
    ///   refuses the reload; a store that did load its new files keeps them even if a later
    ///   step refuses the reload — they are what is on disk, and its watcher would load them
    ///   within seconds anyway).
    @discardableResult
    func reload(configuration: ProxyConfiguration, warnings: [String] = []) async throws(ReloadError) -> ReloadSummary {
        let started = ContinuousClock.now
        let result = await serialized { await self.apply(configuration, warnings: warnings) }
        return try record(result, took: ContinuousClock.now - started).get()
    }

    /// Logs and counts a reload's outcome; returns it (a refusal as the error, for `throw`).
    private func record(_ result: Result<ReloadSummary, ReloadError>, took duration: Duration? = nil) -> Result<ReloadSummary, ReloadError> {
        switch result {
        case .success(let summary):
            reloadStatistics.withLockedValue { $0.applied += 1 }
            for warning in summary.warnings { logger.warning("\(warning)") }
            var metadata: Logger.Metadata = ["summary": "\(summary)"]
            if let duration {
                let (seconds, attoseconds) = duration.components
                let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
                metadata["took_ms"] = "\((milliseconds * 100).rounded() / 100)"
            }
            logger.info("reload applied", metadata: metadata)
        case .failure(let error):
            reloadStatistics.withLockedValue {
                $0.refused += 1
                $0.lastError = error.description
            }
            logger.error("reload refused; the running configuration keeps serving: \(error)")
        }
        return result
    }

    /// Logs and counts a refusal found before applying; returns it for `throw`.
    private func refuse(_ error: ReloadError) -> ReloadError {
        _ = record(.failure(error))
        return error
    }

    private func apply(_ new: ProxyConfiguration, warnings: [String]) async -> Result<ReloadSummary, ReloadError> {
        let current = state.withLockedValue { $0 }
        guard current.phase == .running else { return .failure(.notRunning) }
        let diff = ConfigurationDiff(from: current.configuration, to: new)

        // 1. Everything that can fail, before anything is swapped.
        var resolvers = current.resolvers
        let kept = current.backends.filter { diff.keptBackends.contains($0.key) }
        let backends: [String: BackendRuntime]
        do {
            backends = try Self.makeBackends(for: new, reusing: kept, previous: current.backends, resolvers: &resolvers, loops: loops, group: group, logger: logger)
        } catch {
            return .failure(error)
        }
        let oldSlots = Dictionary(current.listeners.map { ($0.bind, $0) }, uniquingKeysWith: { first, _ in first })
        var generations: [BindAddress: ListenerGeneration] = [:]
        for listener in new.listeners {
            let previous = oldSlots[listener.bind]?.current
            if let previous, diff.unchangedListeners.contains(listener.bind) {
                if let tls = previous.tls, case .failure(let error) = Self.reloadCertificates(tls, of: listener) {
                    return .failure(error)
                }
                generations[listener.bind] = previous
                continue
            }
            var tls: TLSServerContext?
            if let wanted = listener.tls {
                if let previousTLS = previous?.tls, previous?.context.configuration.tls == wanted {
                    // Same files and settings: keep the context (its session cache and ticket
                    // keys), read the files again.
                    if case .failure(let error) = Self.reloadCertificates(previousTLS, of: listener) { return .failure(error) }
                    tls = previousTLS
                } else {
                    do {
                        tls = try ListenerTLS.context(for: wanted, logger: logger, pinned: pinnedDirectories)
                    } catch {
                        return .failure(.certificate(listener: listener.name, location: listener.location, problem: "\(error)"))
                    }
                }
            }
            generations[listener.bind] = Self.makeGeneration(listener, of: new, backends: backends, tls: tls, connections: loopConnections)
        }
        var opened: [ListenerSlot] = []
        for listener in new.listeners where oldSlots[listener.bind] == nil {
            guard let generation = generations[listener.bind] else { continue }
            let slot = ListenerSlot(bind: listener.bind, generation: generation)
            do {
                try await bind(slot, listener)
            } catch {
                for slot in opened { try? await slot.channel?.close() }
                return .failure(.bind(error))
            }
            opened.append(slot)
        }

        // 2. The swap: nothing below fails.
        var slots: [ListenerSlot] = []
        for listener in new.listeners {
            guard let generation = generations[listener.bind] else { continue }
            if let slot = oldSlots[listener.bind] {
                let replaced = slot.swap(to: generation)
                if replaced !== generation { replaced.retire() }
                slots.append(slot)
            } else if let slot = opened.first(where: { $0.bind == listener.bind }) {
                slots.append(slot)
            }
        }
        let removedSlots = current.listeners.filter { slot in !new.listeners.contains { $0.bind == slot.bind } }
        for slot in removedSlots {
            // Stop accepting; its connections finish their exchange and close.
            try? await slot.channel?.close()
            slot.channel = nil
            slot.current.retire()
            logger.info("listener removed", metadata: ["listener": "\(slot.current.name)", "address": "\(slot.bind)"])
        }
        let started = backends.values.filter { backend in !kept.values.contains { $0 === backend } }
        let stopped = current.backends.values.filter { backend in !backends.values.contains { $0 === backend } }
        let added = Self.loopBackends(of: started, loops: loops)
        let retired = Self.loopBackends(of: stopped, loops: loops)
        for (loop, connections) in loopConnections {
            let adding = added[loop] ?? [], retiring = retired[loop] ?? []
            connections.eventLoop.execute { connections.replaceBackends(adding: adding, retiring: retiring) }
        }
        connectionLimiter.setLimit(new.limits.maxConnections)
        let stillRunning = state.withLockedValue { state -> Bool in
            state.configuration = new
            state.backends = backends
            state.listeners = slots
            state.resolvers = resolvers.filter { name, _ in new.resolver(named: name) != nil }
            return state.phase == .running
        }
        if stillRunning {
            for backend in started { backend.start() }
        }
        for backend in stopped { await backend.stop() }
        reconcileCertificateWatches(slots: slots)

        var summary = ReloadSummary(diff: diff, warnings: warnings)
        for key in diff.needsRestart {
            summary.warnings.append("'\(key)' changed: it takes effect at the next start, not on reload")
        }
        return .success(summary)
    }

    private static func reloadCertificates(_ tls: TLSServerContext, of listener: ListenerConfiguration) -> Result<Void, ReloadError> {
        do {
            try tls.certificates.reload()
            return .success(())
        } catch {
            return .failure(.certificate(listener: listener.name, location: listener.location, problem: "\(error)"))
        }
    }
}
