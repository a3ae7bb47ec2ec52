/// The TLS policy a haproxy.cfg writes, either globally (`ssl-default-bind-ciphers`,
/// `-ciphersuites`, `-curves`, `-sigalgs`, `-options`) or on one `bind` line, and how the two
/// combine — as HAProxy 2.6 combines them (`bind_parse_ssl` in `cfgparse-ssl.c`):
///
/// - A bind's `ciphers`, `ciphersuites`, `curves`, `sigalgs`, `ssl-min-ver` and `ssl-max-ver`
///   replace the global value; the global one applies where the bind says nothing.
/// - `no-tlsvXX`, `no-tls-tickets` and `prefer-client-ciphers` add up: set on either, they hold.
/// - `force-tlsvXX` pins the minimum and the maximum to that version.
/// - Versions before TLS 1.2 are refused (`ssl-min-ver TLSv1.0`, `force-tlsv11`): proxyd never
///   negotiates them (RFC 8996). `no-sslv3`, `no-tlsv10` and `no-tlsv11` are accepted: what they
///   ask for is already so.
/// - Cipher order: HAProxy prefers the server's order unless `prefer-client-ciphers`. A file
///   that writes its own cipher list (`ciphers` or `ciphersuites`, globally or on the bind) gets
///   exactly that; a file that writes none keeps proxyd's defaults whole (Mozilla intermediate,
///   which lets the client choose).
struct HAProxyTLSPolicy: Sendable, Hashable {
    var ciphers: String?
    var ciphersuites: String?
    var curves: String?
    var signatureAlgorithms: String?
    var minimumVersion: String?
    var maximumVersion: String?
    /// Versions switched off with `no-tlsv12` / `no-tlsv13` (proxyd names, `tls1.2`).
    var disabledVersions: Set<String> = []
    var noTickets = false
    var preferClientCiphers = false

    /// The versions proxyd can negotiate, oldest first.
    private static let versions = ["tls1.2", "tls1.3"]

    /// Reads `option` (taking its value from `rest` when it has one) if it is a TLS option
    /// HAProxy accepts in `ssl-default-bind-options` and on `bind`; false if it is not one.
    /// `prefix` names where it was written, for messages (`bind`, `ssl-default-bind-options`).
    mutating func read(_ option: String, _ rest: inout ArraySlice<String>, prefix: String) throws(HAProxyLineError) -> Bool {
        func value() throws(HAProxyLineError) -> String {
            guard let next = rest.popFirst() else { throw HAProxyLineError("\(prefix) option '\(option)' needs a value") }
            return next
        }
        switch option {
        case "ciphers": ciphers = try value()
        case "ciphersuites": ciphersuites = try value()
        case "curves": curves = try value()
        case "ecdhe":
            // HAProxy's older single-curve option; `curves` wins when both are written.
            let name = try value()
            if curves == nil { curves = name }
        case "sigalgs": signatureAlgorithms = try value()
        case "ssl-min-ver": minimumVersion = try Self.version(try value(), option: option)
        case "ssl-max-ver": maximumVersion = try Self.version(try value(), option: option)
        case "no-sslv3", "no-tlsv10", "no-tlsv11": break  // never negotiated anyway
        case "no-tlsv12": disabledVersions.insert("tls1.2")
        case "no-tlsv13": disabledVersions.insert("tls1.3")
        case "force-tlsv12", "force-tlsv13":
            let version = option == "force-tlsv12" ? "tls1.2" : "tls1.3"
            minimumVersion = version
            maximumVersion = version
        case "force-sslv3", "force-tlsv10", "force-tlsv11":
            throw HAProxyLineError("\(option): proxyd never negotiates versions before TLS 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1); write ssl-min-ver TLSv1.2")
        case "no-tls-tickets": noTickets = true
        case "prefer-client-ciphers": preferClientCiphers = true
        default: return false
        }
        return true
    }

    /// The global directives that set the defaults: `ssl-default-bind-ciphers`, `-ciphersuites`,
    /// `-curves`, `-sigalgs` (one value each) and `-options` (bind options).
    static let globalDirectives: [String: String] = [
        "ssl-default-bind-ciphers": "ciphers", "ssl-default-bind-ciphersuites": "ciphersuites",
        "ssl-default-bind-curves": "curves", "ssl-default-bind-sigalgs": "sigalgs", "ssl-default-bind-options": "",
    ]

    /// Reads one global directive into these defaults, checked through OpenSSL on its own so a
    /// bad value is reported at its line even when no bind uses TLS; unchanged on error.
    mutating func readGlobal(_ keyword: String, _ arguments: [String]) throws(HAProxyLineError) {
        var policy = self
        var rest = arguments[...]
        if let option = Self.globalDirectives[keyword], !option.isEmpty {
            guard arguments.count == 1 else {
                throw HAProxyLineError(arguments.isEmpty ? "\(keyword) needs a value" : "\(keyword) takes one value, found \(arguments.count)")
            }
            _ = try policy.read(option, &rest, prefix: keyword)
        } else {
            while let option = rest.popFirst() {
                guard try policy.read(option, &rest, prefix: keyword) else {
                    throw HAProxyLineError("\(keyword): unsupported option '\(option)'")
                }
            }
        }
        var check = ListenerTLSConfiguration(certificates: [])
        try policy.apply(to: &check)
        self = policy
    }

    /// `ssl-min-ver` / `ssl-max-ver` values: HAProxy's names, TLS 1.2 and 1.3 only.
    static func version(_ text: String, option: String) throws(HAProxyLineError) -> String {
        switch text {
        case "TLSv1.2": return "tls1.2"
        case "TLSv1.3": return "tls1.3"
        case "SSLv3", "TLSv1.0", "TLSv1.1":
            throw HAProxyLineError("\(option) \(text): proxyd never negotiates versions before TLS 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1); write \(option) TLSv1.2")
        default:
            throw HAProxyLineError("\(option) must be TLSv1.2 or TLSv1.3, found '\(text)'")
        }
    }

    /// This bind's policy over the global defaults (see the type's rules).
    func overriding(_ global: HAProxyTLSPolicy) -> HAProxyTLSPolicy {
        var merged = self
        merged.ciphers = ciphers ?? global.ciphers
        merged.ciphersuites = ciphersuites ?? global.ciphersuites
        merged.curves = curves ?? global.curves
        merged.signatureAlgorithms = signatureAlgorithms ?? global.signatureAlgorithms
        merged.minimumVersion = minimumVersion ?? global.minimumVersion
        merged.maximumVersion = maximumVersion ?? global.maximumVersion
        merged.disabledVersions = disabledVersions.union(global.disabledVersions)
        merged.noTickets = noTickets || global.noTickets
        merged.preferClientCiphers = preferClientCiphers || global.preferClientCiphers
        return merged
    }

    /// Writes the policy into a listener's TLS settings; throws when no version is left or
    /// OpenSSL refuses a list.
    func apply(to tls: inout ListenerTLSConfiguration) throws(HAProxyLineError) {
        let low = minimumVersion ?? Self.versions[0]
        let high = maximumVersion ?? Self.versions[Self.versions.count - 1]
        let enabled = Self.versions.filter { $0 >= low && $0 <= high && !disabledVersions.contains($0) }
        guard let first = enabled.first, let last = enabled.last else {
            throw HAProxyLineError("no TLS version is left to offer (ssl-min-ver \(Self.haproxyName(low)), ssl-max-ver \(Self.haproxyName(high))"
                + (disabledVersions.isEmpty ? "" : ", " + disabledVersions.sorted().map { "no-tlsv1" + $0.suffix(1) }.joined(separator: " ")) + ")")
        }
        tls.minimumVersion = first
        tls.maximumVersion = last
        tls.ciphers = ciphers
        tls.ciphersuites = ciphersuites
        tls.curves = curves
        tls.signatureAlgorithms = signatureAlgorithms
        tls.sessionTickets = !noTickets
        // HAProxy's rule where the file chose its ciphers; proxyd's defaults where it did not.
        tls.preferServerCiphers = (ciphers != nil || ciphersuites != nil) && !preferClientCiphers
        if let problem = tls.openSSLProblem() { throw HAProxyLineError(problem.message) }
    }

    private static func haproxyName(_ version: String) -> String {
        version == "tls1.3" ? "TLSv1.3" : "TLSv1.2"
    }
}
