/// HAProxy's runtime API on a Unix stream socket (`global` → `stats socket PATH …`,
/// `stats timeout`, `stats maxconn`; YAML `stats_socket:`): the commands operators script and
/// exporters read (`show stat`, `show info`, `set server …`), served by ``RuntimeAPIServer``.
///
/// The socket file is created with the mode and owner asked for while proxyd still runs as
/// the user that started it (root under HAProxy's usual setup), before privileges are dropped,
/// and removed at exit; a stale file left by a crash is replaced.
struct StatsSocketConfiguration: Sendable, Hashable {
    /// What a session may do, as HAProxy's `level`: `user` reads non-sensitive stats,
    /// `operator` (HAProxy's default) reads everything, `admin` may also change servers.
    enum Level: String, Sendable, Hashable, CaseIterable, Comparable {
        case user, `operator`, admin

        private var rank: Int {
            switch self {
            case .user: 0
            case .operator: 1
            case .admin: 2
            }
        }

        static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    /// Where the socket file is created.
    var path: String
    /// The file's permission bits (`mode 660`); nil leaves what the umask gives.
    var mode: UInt16?
    var level: Level = .operator
    /// Owner of the socket file, by name (`user`) or number (`uid`); nil: the process's.
    var owner: String?
    /// Group of the socket file, by name (`group`) or number (`gid`); nil: the process's.
    var group: String?
    /// A session idle this long is closed (`stats timeout`; HAProxy's default is 10 s).
    var idleTimeout: Duration = .seconds(10)
    /// Sessions open at once; more wait in the backlog (`stats maxconn`; HAProxy's default 10).
    var maxConnections: Int = 10

    /// The mode as HAProxy and chmod write it: octal digits.
    static func parseMode(_ text: String) -> UInt16? {
        guard !text.isEmpty, text.count <= 4, let value = UInt16(text, radix: 8), value <= 0o7777 else { return nil }
        return value
    }

    /// `0660`-style text for a mode.
    static func formatMode(_ mode: UInt16) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
