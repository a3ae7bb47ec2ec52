/// What `POST /api/reload` runs: reload the configuration (and certificates) in place and say
/// how it went. Injected so that the admin listener does not own reloading: the runtime's
/// reload (the same one SIGHUP triggers) is handed in by whoever starts the proxy.
struct AdminReloadAction: Sendable {
    /// Whether the new configuration is in force, and a message for the operator (errors with
    /// `file:line`, or what changed).
    typealias Outcome = (ok: Bool, message: String)

    let run: @Sendable () async -> Outcome
    /// False for ``notWired``: the API then answers 501 instead of 500.
    let isWired: Bool

    init(_ run: @escaping @Sendable () async -> Outcome) {
        self.run = run
        self.isWired = true
    }

    private init(unwired message: String) {
        self.run = { (false, message) }
        self.isWired = false
    }

    /// The placeholder until reload is wired into `proxyd run`: 501 "reload not wired".
    static let notWired = AdminReloadAction(unwired: "reload not wired")
}
