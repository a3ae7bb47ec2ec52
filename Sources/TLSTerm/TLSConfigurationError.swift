/// A ``TLSConfiguration`` that OpenSSL refuses; thrown when a ``CertificateStore`` builds its
/// contexts, so a typo fails at startup and names the offending value.
public enum TLSConfigurationError: Error, Hashable, CustomStringConvertible {
    /// `minimumVersion` is above `maximumVersion`.
    case invalidVersionRange(minimum: TLSVersion, maximum: TLSVersion)
    /// OpenSSL accepted none of the TLS 1.2 suites (`SSL_CTX_set_cipher_list`).
    case invalidTLS12CipherSuites(String)
    /// OpenSSL rejected the TLS 1.3 suite list (`SSL_CTX_set_ciphersuites`).
    case invalidTLS13CipherSuites(String)
    /// A TLS 1.3 suite name OpenSSL does not know (`SSL_CTX_set_ciphersuites` skips unknown
    /// names silently; an operator's typo must not quietly shrink the list).
    case unknownTLS13CipherSuite(String)
    /// OpenSSL rejected the signature algorithm list (`SSL_CTX_set1_sigalgs_list`).
    case invalidSignatureAlgorithms(String)
    /// OpenSSL rejected the group list (`SSL_CTX_set1_groups_list`).
    case invalidGroups(String)
    /// An ALPN name is empty or longer than 255 bytes (RFC 7301 §3.1).
    case invalidALPNProtocol(String)
    /// A count or duration is out of range (named field, offending value).
    case invalidValue(field: String, value: String)
    /// OpenSSL could not allocate or set up a context; the OpenSSL error queue is attached.
    case openSSLFailure(String)

    public var description: String {
        switch self {
        case .invalidVersionRange(let min, let max): "TLS minimum version \(min) is above maximum \(max)"
        case .invalidTLS12CipherSuites(let list): "OpenSSL accepts none of the TLS 1.2 cipher suites '\(list)'"
        case .invalidTLS13CipherSuites(let list): "OpenSSL rejects the TLS 1.3 cipher suites '\(list)'"
        case .unknownTLS13CipherSuite(let name): "OpenSSL knows no TLS 1.3 cipher suite '\(name)'"
        case .invalidSignatureAlgorithms(let list): "OpenSSL rejects the signature algorithms '\(list)'"
        case .invalidGroups(let list): "OpenSSL rejects the key exchange groups '\(list)'"
        case .invalidALPNProtocol(let name): "ALPN protocol name '\(name)' must be 1 to 255 bytes"
        case .invalidValue(let field, let value): "TLS configuration \(field) has invalid value \(value)"
        case .openSSLFailure(let reason): "OpenSSL failed to set up a context: \(reason)"
        }
    }
}
