/// What `POST /api/reload` runs: reload the configuration (and certificates) in place and say
/// how it went. Injected so that the admin listener does not own reloading: ``ProxyRuntime``
/// hands in its own `reload()`, the same one SIGHUP triggers.
struct AdminReloadAction: Sendable {
    /// Whether the new configuration is in force, and a message for the operator (errors with
    /// `file:line`, or what changed).
    typealias Outcome = (ok: Bool, message: String)

    let run: @Sendable () async -> Outcome

    init(_ run: @escaping @Sendable () async -> Outcome) {
        self.run = run
    }
}
