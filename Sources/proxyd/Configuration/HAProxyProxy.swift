/// A proxy section as read, before it becomes listeners and a backend: a `frontend` fills the
/// front side, a `backend` the back side, a `listen` both, and a `defaults` only ``settings``.
struct HAProxyProxy: Sendable, Hashable {
    /// One `bind` address with its TLS options.
    struct Bind: Sendable, Hashable {
        var address: BindAddress
        var tls: ListenerTLSConfiguration?
        var line: Int
    }

    /// A `server` line.
    struct Server: Sendable, Hashable {
        var name: String
        var address: BindAddress
        var options: HAProxyServerOptions
        var line: Int
    }

    /// A `server-template` line on an SRV name.
    struct Template: Sendable, Hashable {
        var prefix: String
        /// The slot count as written (`10`, `1-10`); proxyd has no slots and says so.
        var count: String
        var srvName: String
        var options: HAProxyServerOptions
        var line: Int
    }

    var section: HAProxySection
    var settings: HAProxyProxySettings
    var binds: [Bind] = []
    /// `http-request` rules; HAProxy runs them before every `redirect` rule, wherever written.
    var httpRequestRules: [RequestRule] = []
    var redirectRules: [RequestRule] = []
    /// `http-response` rules.
    var httpResponseRules: [ResponseRule] = []
    var routes: [Route] = []
    var servers: [Server] = []
    var templates: [Template] = []
}
