/// The whole validated configuration of a proxyd process.
///
/// Both configuration languages — native YAML and the haproxy.cfg subset — translate into this
/// one model, so that what follows loading (cross-checks, `proxyd check` output, `convert`,
/// reload diffing, wiring) exists once.
struct ProxyConfiguration: Sendable, Hashable {
    var listeners: [ListenerConfiguration] = []
    var backends: [BackendConfiguration] = []
    var resolvers: [ResolverSection] = []
    var timeouts: TimeoutConfiguration = .init()
    var limits: LimitConfiguration = .init()
    var admin: AdminConfiguration?
    /// HAProxy's runtime API on a Unix socket (`stats socket`).
    var statsSocket: StatsSocketConfiguration?
    var accessLog: AccessLogConfiguration?
    /// Event loops; nil means one per core.
    var threads: Int?
    /// Drop privileges to this user after binding the listeners (needs root; see
    /// ``PrivilegeDrop``).
    var user: String?
    /// The group to switch to with `user`; nil means the user's primary group.
    var group: String?
    /// Where to write the process ID at start (HAProxy `pidfile`), before privileges are dropped.
    var pidFile: String?
    /// The open-file limit to set (HAProxy `ulimit-n`); nil: the soft limit is raised to the
    /// hard one (see `OpenFileLimit`).
    var openFileLimit: Int?
    /// Confine the process to this directory after binding the listeners and loading the
    /// certificates, before dropping privileges (HAProxy's `chroot`; see ``ChrootJail``).
    var chroot: String?

    func backend(named name: String) -> BackendConfiguration? { backends.first { $0.name == name } }
    func resolver(named name: String) -> ResolverSection? { resolvers.first { $0.name == name } }
}

/// Every timeout of the proxy, with HAProxy's names in the comments.
struct TimeoutConfiguration: Sendable, Hashable {
    /// Connecting to an endpoint (`timeout connect`).
    var connect: Duration = .seconds(5)
    /// Client inactivity while a request is in progress (`timeout client`).
    var client: Duration = .seconds(30)
    /// Backend inactivity while waiting for or reading a response (`timeout server`).
    var server: Duration = .seconds(30)
    /// Receiving a complete request head; cuts off slowloris (`timeout http-request`).
    var requestHead: Duration = .seconds(10)
    /// An idle keep-alive client connection between requests (`timeout http-keep-alive`).
    var keepAlive: Duration = .seconds(60)
    /// Inactivity of an upgraded (WebSocket) tunnel (`timeout tunnel`).
    var tunnel: Duration = .seconds(3600)
    /// How long graceful shutdown waits for in-flight requests.
    var shutdownGrace: Duration = .seconds(30)
}

/// Resource limits; exceeding a parser limit maps to its status code.
struct LimitConfiguration: Sendable, Hashable {
    /// Open client connections over all listeners; more wait in the accept backlog.
    var maxConnections: Int = 10_000
    /// Request line length (414 beyond it).
    var maxRequestLine: Int = 8_192
    /// Total header section size (431 beyond it).
    var maxHeaderBytes: Int = 65_536
    /// Header count (431 beyond it).
    var maxHeaders: Int = 100
    /// Request body size (413 beyond it); nil: unlimited, streamed.
    var maxBodyBytes: Int?
}

/// The admin listener: `/metrics`, the stats page, the JSON admin API.
struct AdminConfiguration: Sendable, Hashable {
    /// Loopback by default: the admin API can drain endpoints and reload.
    var bind: BindAddress = .init(host: "127.0.0.1", port: 9901)
    /// When set, every admin request must carry `Authorization: Bearer TOKEN`.
    var token: String?
}

/// Access logging.
struct AccessLogConfiguration: Sendable, Hashable {
    enum Format: String, Sendable, Hashable, CaseIterable {
        /// HAProxy's `option httplog` line.
        case httplog
        /// One JSON object per line.
        case json
    }

    var format: Format = .httplog
    /// A file path, or nil for standard output.
    var path: String?
    /// When set, lines go to these syslog targets instead of the file or standard output.
    var syslog: SyslogConfiguration?
    /// Log a connection closed before it sent a request (HAProxy without `option dontlognull`).
    var logNullConnections = false
}
