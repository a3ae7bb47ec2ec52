/// One command of HAProxy's runtime API (management guide §9.3), parsed from its words.
///
/// A value with no I/O: ``parse(_:)`` turns a command's words into it, and
/// ``RuntimeAPIExecutor`` answers it. Words that make no command proxyd serves become
/// ``unknown(_:)`` (answered like HAProxy's "Unknown command"); a known command written wrong
/// becomes ``usage(_:)`` carrying HAProxy's own message for that mistake.
enum RuntimeAPICommand: Sendable, Equatable {
    /// What `set server … state` asks for.
    enum ServerState: String, Sendable, Equatable {
        case ready, drain, maint
    }

    /// `set server … weight N` or `N%` (of the initial weight).
    enum Weight: Sendable, Equatable {
        case absolute(Int)
        case percent(Int)
    }

    /// `show stat` options: `up` / `no-maint` filters and `IID TYPE SID` (proxy ID or -1, a
    /// mask of 1 frontends, 2 backends, 4 servers, server ID or -1).
    struct StatFilter: Sendable, Equatable {
        var onlyUp = false
        var noMaintenance = false
        var proxyID: Int?
        var types = 7
        var serverID: Int?
    }

    case help
    case prompt
    case quit
    /// `user` / `operator`: lower the session's level.
    case lowerLevel(StatsSocketConfiguration.Level)
    case showCLILevel
    case showInfo
    case showStat(StatFilter)
    case showServersState(backend: String?)
    case showResolvers(String?)
    case showBackend
    case showFrontend
    case getWeight(backend: String, server: String)
    case setServerState(backend: String, server: String, ServerState)
    case setServerWeight(backend: String, server: String, Weight)
    case enableServer(backend: String, server: String)
    case disableServer(backend: String, server: String)
    /// A known command written wrong, with the answer HAProxy gives.
    case usage(String)
    /// Not a command proxyd serves: the words as given.
    case unknown([String])

    /// The level a command needs (HAProxy: changing servers is `admin`, reading is `user`).
    var requiredLevel: StatsSocketConfiguration.Level {
        switch self {
        case .setServerState, .setServerWeight, .enableServer, .disableServer: .admin
        default: .user
        }
    }

    /// Parses one command's words.
    static func parse(_ words: [String]) -> RuntimeAPICommand {
        switch words.first {
        case "help": return .help
        case "prompt": return .prompt
        case "quit": return .quit
        case "user" where words.count == 1: return .lowerLevel(.user)
        case "operator" where words.count == 1: return .lowerLevel(.operator)
        case "show": return parseShow(Array(words.dropFirst()), all: words)
        case "get" where words.count >= 2 && words[1] == "weight":
            guard words.count >= 3 else { return .usage("Require 'backend/server'.") }
            guard let (backend, server) = backendAndServer(words[2]) else { return .usage("Require 'backend/server'.") }
            return .getWeight(backend: backend, server: server)
        case "set" where words.count >= 2 && words[1] == "server":
            return parseSetServer(Array(words.dropFirst(2)))
        case "set" where words.count >= 2 && words[1] == "weight":
            // The deprecated spelling of `set server B/S weight N`.
            guard words.count >= 3, let (backend, server) = backendAndServer(words[2]) else { return .usage("Require 'backend/server'.") }
            guard words.count >= 4 else { return .usage("Require <weight> or <weight%>.") }
            return weight(words[3], backend: backend, server: server)
        case "enable" where words.count >= 2 && words[1] == "server",
             "disable" where words.count >= 2 && words[1] == "server":
            guard words.count >= 3, let (backend, server) = backendAndServer(words[2]) else { return .usage("Require 'backend/server'.") }
            return words[0] == "enable" ? .enableServer(backend: backend, server: server) : .disableServer(backend: backend, server: server)
        default:
            return .unknown(words)
        }
    }

    private static func parseShow(_ rest: [String], all: [String]) -> RuntimeAPICommand {
        switch rest.first {
        case "info": return .showInfo
        case "stat": return parseStat(Array(rest.dropFirst()), all: all)
        case "servers" where rest.count >= 2 && rest[1] == "state":
            return .showServersState(backend: rest.count >= 3 ? rest[2] : nil)
        case "resolvers": return .showResolvers(rest.count >= 2 ? rest[1] : nil)
        case "backend": return .showBackend
        case "frontend": return .showFrontend
        case "cli" where rest.count >= 2 && rest[1] == "level": return .showCLILevel
        default: return .unknown(all)
        }
    }

    private static func parseStat(_ options: [String], all: [String]) -> RuntimeAPICommand {
        var filter = StatFilter()
        var numbers: [Int] = []
        for option in options {
            switch option {
            case "up": filter.onlyUp = true
            case "no-maint": filter.noMaintenance = true
            case "typed", "json", "desc":
                return .usage("proxyd answers 'show stat' in CSV only; '\(option)' is not supported.")
            default:
                guard let number = Int(option) else { return .unknown(all) }
                numbers.append(number)
            }
        }
        switch numbers.count {
        case 0: break
        case 3:
            filter.proxyID = numbers[0] == -1 ? nil : numbers[0]
            filter.types = numbers[1] == -1 ? 7 : numbers[1]
            filter.serverID = numbers[2] == -1 ? nil : numbers[2]
        default:
            return .usage("show stat: give <iid> <type> <sid> together (-1 for all).")
        }
        return .showStat(filter)
    }

    private static func parseSetServer(_ rest: [String]) -> RuntimeAPICommand {
        guard let target = rest.first, let (backend, server) = backendAndServer(target) else {
            return .usage("Require 'backend/server'.")
        }
        switch rest.count >= 2 ? rest[1] : nil {
        case "state":
            guard rest.count >= 3, let state = ServerState(rawValue: rest[2]) else {
                return .usage("'set server <srv> state' expects 'ready', 'drain' and 'maint'.")
            }
            return .setServerState(backend: backend, server: server, state)
        case "weight":
            guard rest.count >= 3 else { return .usage("Require <weight> or <weight%>.") }
            return weight(rest[2], backend: backend, server: server)
        case let option?:
            let supported: Set = ["addr", "agent", "agent-addr", "agent-port", "agent-send", "check-addr", "check-port", "fqdn", "health", "ssl"]
            if supported.contains(option) {
                return .usage("proxyd does not support 'set server … \(option)': its endpoints come from DNS; use state or weight.")
            }
            return .usage(setServerUsage)
        case nil:
            return .usage(setServerUsage)
        }
    }

    private static let setServerUsage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight"

    private static func weight(_ text: String, backend: String, server: String) -> RuntimeAPICommand {
        let isPercent = text.hasSuffix("%")
        let digits = isPercent ? String(text.dropLast()) : text
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), value >= 0 else {
            return .usage("Empty weight string empty or preceded by garbage")
        }
        return .setServerWeight(backend: backend, server: server, isPercent ? .percent(value) : .absolute(value))
    }

    /// `BACKEND/SERVER`, both non-empty.
    static func backendAndServer(_ text: String) -> (String, String)? {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let backend = String(text[..<slash])
        let server = String(text[text.index(after: slash)...])
        guard !backend.isEmpty, !server.isEmpty else { return nil }
        return (backend, server)
    }
}
