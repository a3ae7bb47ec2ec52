/// The options after a `server`, `server-template` or `default-server` line, as far as proxyd
/// has a meaning for them. Nil means "not written here" so that `default-server` values can
/// fill in (HAProxy's rule: a server's own option wins over default-server's).
struct HAProxyServerOptions: Sendable, Hashable {
    var check: Bool?
    var interval: Duration?
    var rise: Int?
    var fall: Int?
    var weight: Int?
    var backup: Bool?
    var resolvers: String?
    var resolvePrefer: SRVMembership.AddressPreference?
    var ignoreWeight: Bool?
    var slowStart: Duration?

    /// Options with a value of their own, `default-server`'s otherwise.
    func over(_ defaults: HAProxyServerOptions) -> HAProxyServerOptions {
        HAProxyServerOptions(
            check: check ?? defaults.check, interval: interval ?? defaults.interval, rise: rise ?? defaults.rise,
            fall: fall ?? defaults.fall, weight: weight ?? defaults.weight, backup: backup ?? defaults.backup,
            resolvers: resolvers ?? defaults.resolvers,
            resolvePrefer: resolvePrefer ?? defaults.resolvePrefer, ignoreWeight: ignoreWeight ?? defaults.ignoreWeight,
            slowStart: slowStart ?? defaults.slowStart
        )
    }

    /// Options HAProxy has that proxyd accepts without effect, with the reason given in the warning.
    private static let ignored: [String: String] = [
        "fastinter": "proxyd checks at one interval ('inter')",
        "downinter": "proxyd checks at one interval ('inter')",
        "observe": "proxyd ejects endpoints that fail real requests on its own (outlier_detection)",
        "error-limit": "proxyd ejects endpoints that fail real requests on its own (outlier_detection)",
        "on-error": "proxyd ejects endpoints that fail real requests on its own (outlier_detection)",
        "on-marked-down": "proxyd lets in-flight requests to a down endpoint finish",
        "on-marked-up": "proxyd lets in-flight requests finish",
        "maxqueue": "proxyd does not queue requests",
        "minconn": "proxyd has no dynamic connection limit",
        "id": "proxyd names endpoints by address",
    ]

    /// Options that change what is sent to the server, which proxyd cannot honour.
    private static let refused: [String: String] = [
        "ssl": "proxyd connects to backends over plain HTTP (TLS to backends is not supported)",
        "check-ssl": "proxyd connects to backends over plain HTTP (TLS to backends is not supported)",
        "verify": "proxyd connects to backends over plain HTTP (TLS to backends is not supported)",
        "ca-file": "proxyd connects to backends over plain HTTP (TLS to backends is not supported)",
        "sni": "proxyd connects to backends over plain HTTP (TLS to backends is not supported)",
        "alpn": "proxyd speaks HTTP/1.1 to backends",
        "send-proxy": "the PROXY protocol is not supported",
        "send-proxy-v2": "the PROXY protocol is not supported",
        "cookie": "cookie persistence is not supported; 'balance source' keeps a client on one endpoint",
        "port": "health checks go to each endpoint's own port",
        "addr": "health checks go to each endpoint's own address",
        "agent-check": "agent checks are not supported; use 'option httpchk'",
        "track": "each endpoint is checked on its own",
        "disabled": "remove the server line instead",
    ]

    /// Options that take one value.
    private static let valued: Set<String> = [
        "inter", "rise", "fall", "weight", "maxconn", "resolvers", "resolve-prefer", "resolve-opts", "init-addr", "slowstart",
        "fastinter", "downinter", "observe", "error-limit", "on-error", "on-marked-down", "on-marked-up", "maxqueue", "minconn", "id",
    ]

    /// Reads options from `words`; returns the warnings for options accepted without effect.
    mutating func read(_ words: ArraySlice<String>) throws(HAProxyLineError) -> [String] {
        var warnings: [String] = []
        var rest = words
        while let option = rest.popFirst() {
            if let reason = Self.refused[option] { throw HAProxyLineError("server option '\(option)' is not supported: \(reason)") }
            var value = ""
            if Self.valued.contains(option) {
                guard let next = rest.popFirst() else { throw HAProxyLineError("server option '\(option)' needs a value") }
                value = next
            }
            if let reason = Self.ignored[option] {
                warnings.append("server option '\(option)' is ignored: \(reason)")
                continue
            }
            switch option {
            case "check": check = true
            case "no-check": check = false
            case "backup": backup = true
            case "no-backup": backup = false
            case "inter": interval = try Self.duration(value, option: option)
            case "slowstart": slowStart = try Self.duration(value, option: option)
            case "rise": rise = try Self.integer(value, option: option, in: 1...100)
            case "fall": fall = try Self.integer(value, option: option, in: 1...100)
            case "weight": weight = try Self.integer(value, option: option, in: 0...256)
            case "maxconn":
                _ = try Self.integer(value, option: option, in: 1...10_000_000)
                throw HAProxyLineError("server option 'maxconn' is not supported: proxyd neither limits nor queues requests per server; limit connections with the frontend's or the global maxconn")
            case "resolvers": resolvers = value
            case "resolve-prefer":
                switch value {
                case "ipv4": resolvePrefer = .ipv4
                case "ipv6": resolvePrefer = .ipv6
                default: throw HAProxyLineError("resolve-prefer must be ipv4 or ipv6, found '\(value)'")
                }
            case "resolve-opts":
                for part in value.split(separator: ",") {
                    switch part {
                    case "ignore-weight": ignoreWeight = true
                    case "allow-dup-ip", "prevent-dup-ip": break
                    default: throw HAProxyLineError("resolve-opts '\(part)' is unknown; HAProxy knows allow-dup-ip, ignore-weight and prevent-dup-ip")
                    }
                }
            case "init-addr":
                // proxyd starts every DNS-discovered backend empty and fills it from the first
                // answer, which is what `init-addr none` asks for; the other methods only choose
                // a start-up address and change nothing after the first answer.
                for part in value.split(separator: ",", omittingEmptySubsequences: false) where !["last", "libc", "none"].contains(part) {
                    guard !part.isEmpty, part.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else {
                        throw HAProxyLineError("init-addr '\(part)' is not last, libc, none or an IP address")
                    }
                }
            default:
                throw HAProxyLineError("unsupported server option '\(option)'")
            }
        }
        return warnings
    }

    static func duration(_ text: String, option: String) throws(HAProxyLineError) -> Duration {
        do {
            return try ConfigDuration.parse(text, defaultUnit: .milliseconds)
        } catch {
            throw HAProxyLineError("\(option): \(error)")
        }
    }

    static func integer(_ text: String, option: String, in range: ClosedRange<Int>) throws(HAProxyLineError) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw HAProxyLineError("\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text)'")
        }
        return value
    }
}
