import TLSTerm

/// The one translation from a listener's TLS settings to what TLSTerm hands OpenSSL, used by
/// the runtime and by both configuration readers (which validate through it, so a cipher
/// string OpenSSL refuses is an error at its line, judged by the OpenSSL that will serve it).
extension ListenerTLSConfiguration {
    /// The names `min_version` / `max_version` take, and their TLSTerm versions.
    static let versionNames: [String: TLSVersion] = ["tls1.2": .tls1_2, "tls1.3": .tls1_3]

    /// The YAML name of a TLSTerm version.
    static func name(of version: TLSVersion) -> String {
        version == .tls1_3 ? "tls1.3" : "tls1.2"
    }

    /// Mozilla "intermediate" with every setting this listener changes.
    var openSSLConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.mozillaIntermediate
        configuration.alpnProtocols = alpn
        configuration.minimumVersion = Self.versionNames[minimumVersion] ?? .tls1_2
        configuration.maximumVersion = Self.versionNames[maximumVersion] ?? .tls1_3
        if let ciphers { configuration.tls12CipherSuites = Self.list(ciphers) }
        if let ciphersuites { configuration.tls13CipherSuites = Self.list(ciphersuites) }
        if let curves { configuration.groups = Self.list(curves) }
        if let signatureAlgorithms { configuration.signatureAlgorithms = Self.list(signatureAlgorithms) }
        configuration.sessionTicketsEnabled = sessionTickets
        configuration.preferServerCipherOrder = preferServerCiphers
        return configuration
    }

    /// What OpenSSL refuses in these settings, with the configuration key it comes from
    /// (`ciphers`, `ciphersuites`, `curves`, `sigalgs`, `max_version`); nil when all is well.
    func openSSLProblem() -> (key: String, message: String)? {
        do {
            try openSSLConfiguration.validate()
            return nil
        } catch {
            let key = switch error {
            case .invalidTLS12CipherSuites: "ciphers"
            case .invalidTLS13CipherSuites, .unknownTLS13CipherSuite: "ciphersuites"
            case .invalidGroups: "curves"
            case .invalidSignatureAlgorithms: "sigalgs"
            case .invalidVersionRange: "max_version"
            case .invalidALPNProtocol: "alpn"
            case .invalidValue, .openSSLFailure: "tls"
            }
            return (key, error.description)
        }
    }

    /// An OpenSSL colon list as its items (`a:b` → `[a, b]`); joined back unchanged.
    private static func list(_ text: String) -> [String] {
        text.split(separator: ":").map(String.init)
    }
}
