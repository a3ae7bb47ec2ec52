/// The key algorithm of a certificate. A name may have one of each loaded; OpenSSL then
/// serves ECDSA to clients that offer ECDSA signature algorithms and RSA to the rest.
public enum CertificateKeyType: String, Sendable, Hashable, CustomStringConvertible {
    /// RSA (PKCS#1 v1.5 or PSS signatures).
    case rsa = "RSA"
    /// ECDSA on P-256 or P-384.
    case ecdsa = "ECDSA"

    public var description: String { rawValue }
}

/// What a loaded certificate is, for logs, the admin API and metrics (expiry gauges).
public struct CertificateInfo: Sendable, Hashable {
    /// The file(s) it came from: one combined PEM, or `fullchain.pem` and `privkey.pem`.
    public var files: [String]
    /// The leaf's subject, RFC 2253 form.
    public var subject: String
    /// The names it is indexed under: subjectAltName DNS names, or the common name when the
    /// certificate has no subjectAltName (RFC 6125 §6.4.4). Lower case.
    public var serverNames: [String]
    /// The leaf's serial number, upper-case hex.
    public var serialNumber: String
    /// notBefore, seconds since the Unix epoch.
    public var notBefore: Int64
    /// notAfter, seconds since the Unix epoch — export it as a gauge to alert before expiry.
    public var notAfter: Int64
    /// RSA or ECDSA.
    public var keyType: CertificateKeyType
    /// Intermediate certificates sent after the leaf.
    public var chainLength: Int

    /// True when `unixTime` (seconds) is after notAfter.
    public func isExpired(at unixTime: Int64) -> Bool {
        unixTime > notAfter
    }
}
