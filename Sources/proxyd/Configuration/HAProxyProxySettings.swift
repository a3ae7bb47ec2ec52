/// The settings of a proxy section (`frontend`, `backend`, `listen`) that a `defaults` section
/// passes on to the sections after it. Each value remembers its line, so that a complaint about
/// an inherited value points at the `defaults` line that set it.
struct HAProxyProxySettings: Sendable, Hashable {
    struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
        var value: Value
        var line: Int
    }

    /// The health check request of `option httpchk` / `http-check send`.
    struct CheckRequest: Sendable, Hashable {
        var method = "OPTIONS"
        var path = "/"
        var host: String?
    }

    /// `timeout NAME VALUE`, by HAProxy's name.
    var timeouts: [String: Located<Duration>] = [:]
    var forwardFor: Located<Bool>?
    var httpLog = false
    /// `log` lines (`log global` copies the global ones); `no log` empties it.
    var logTargets: [Located<SyslogTarget>] = []
    /// `option dontlognull`.
    var dontLogNull = false
    var balance: Located<BalanceConfiguration>?
    var retries: Int?
    var checkRequest: Located<CheckRequest>?
    var expectedStatus: ClosedRange<Int>?
    var defaultServer = HAProxyServerOptions()
    var defaultBackend: Located<String>?
    /// `maxconn` of a frontend or listen section (or their defaults): each of its listeners'
    /// `max_connections`.
    var maxConnections: Located<Int>?
    /// `option http-server-close`: backend connections are closed after each response.
    var serverClose: Located<Bool>?
    /// Error pages by status (`errorfile`, `errorfiles`, `errorloc*`); see ``HAProxyErrorPagesReader``.
    var errorPages: [Int: ErrorPage] = [:]
}
