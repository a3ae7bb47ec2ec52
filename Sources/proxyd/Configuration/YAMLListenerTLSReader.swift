/// Reads a listener's `tls:` mapping: the certificates and the TLS policy (versions, cipher
/// lists, groups, signature algorithms, tickets, cipher order). Every key left out keeps
/// proxyd's default (Mozilla intermediate); what OpenSSL refuses is an error at its key.
struct YAMLListenerTLSReader {
    let diagnostics: ConfigurationDiagnostics

    static let keys = [
        "certificates", "default_certificate", "alpn", "min_version", "max_version",
        "ciphers", "ciphersuites", "curves", "sigalgs", "session_tickets", "prefer_server_ciphers",
    ]

    func read(_ tls: YAMLMapping) -> ListenerTLSConfiguration {
        var config = ListenerTLSConfiguration(certificates: tls.strings("certificates") ?? [])
        if config.certificates.isEmpty { tls.error("a TLS listener needs `certificates:` (a PEM file, a certbot live/ directory, or a directory of them)") }
        config.defaultCertificate = tls.string("default_certificate")
        config.alpn = tls.strings("alpn") ?? config.alpn
        config.minimumVersion = version(tls, "min_version") ?? config.minimumVersion
        config.maximumVersion = version(tls, "max_version") ?? config.maximumVersion
        config.ciphers = tls.string("ciphers")
        config.ciphersuites = tls.string("ciphersuites")
        config.curves = tls.string("curves")
        config.signatureAlgorithms = tls.string("sigalgs")
        config.sessionTickets = tls.bool("session_tickets") ?? config.sessionTickets
        config.preferServerCiphers = tls.bool("prefer_server_ciphers") ?? config.preferServerCiphers
        if let problem = config.openSSLProblem() {
            diagnostics.error("\(tls.qualified(problem.key)): \(problem.message)", at: tls.location(of: problem.key))
        }
        return config
    }

    private func version(_ tls: YAMLMapping, _ key: String) -> String? {
        guard let version = tls.string(key) else { return nil }
        guard ListenerTLSConfiguration.versionNames[version] != nil else {
            diagnostics.error("\(tls.qualified(key)) must be tls1.2 or tls1.3 (proxyd never negotiates older versions, RFC 8996)", at: tls.location(of: key))
            return nil
        }
        return version
    }
}
