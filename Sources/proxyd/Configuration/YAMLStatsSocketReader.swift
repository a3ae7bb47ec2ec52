/// The YAML `stats_socket:` key, HAProxy's `stats socket` / `stats timeout` / `stats maxconn`:
///
/// ```yaml
/// stats_socket:
///   path: /run/proxyd/admin.sock
///   mode: "0660"          # octal permission bits
///   level: admin          # user | operator (default) | admin
///   user: proxyd          # owner (name or number); group likewise
///   group: proxyd
///   timeout: 30s          # idle session timeout (default 10s)
///   max_connections: 10   # sessions at once (default 10)
/// ```
///
/// A top-level key of its own rather than under `admin:`: the runtime API socket does not need
/// the HTTP admin listener, and `admin:` being present starts that listener.
enum YAMLStatsSocketReader {
    static let keys = ["path", "mode", "level", "user", "group", "timeout", "max_connections"]

    static func read(_ top: YAMLMapping, diagnostics: ConfigurationDiagnostics) -> StatsSocketConfiguration? {
        guard let m = top.mapping("stats_socket", allowedKeys: keys) else { return nil }
        guard let path = m.string("path"), !path.isEmpty else {
            m.error("stats_socket needs `path:` (the Unix socket file, e.g. /run/proxyd/admin.sock)")
            return nil
        }
        var socket = StatsSocketConfiguration(path: path)
        if let text = m.string("mode") {
            if let mode = StatsSocketConfiguration.parseMode(text) {
                socket.mode = mode
            } else {
                diagnostics.error("stats_socket.mode must be octal permission bits such as \"0660\", found '\(text)'", at: m.location(of: "mode"))
            }
        }
        if let text = m.string("level") {
            if let level = StatsSocketConfiguration.Level(rawValue: text) {
                socket.level = level
            } else {
                diagnostics.error("stats_socket.level must be one of: user, operator, admin", at: m.location(of: "level"))
            }
        }
        socket.owner = m.string("user")
        socket.group = m.string("group")
        if let timeout = m.duration("timeout") {
            if timeout > .zero {
                socket.idleTimeout = timeout
            } else {
                diagnostics.error("stats_socket.timeout must be more than 0", at: m.location(of: "timeout"))
            }
        }
        socket.maxConnections = m.int("max_connections", in: 1...100_000) ?? socket.maxConnections
        return socket
    }
}
