/// A leaf certificate with its chain and matching private key, decoded and checked, ready to
/// be put into an `SSL_CTX`.
struct LoadedCertificate: Sendable {
    /// The certificate whose public key matches ``key``.
    var leaf: X509Certificate
    /// The other certificates of the file(s), issuer order from the leaf up where they link.
    var chain: [X509Certificate]
    /// The private key.
    var key: PrivateKey
    /// Names, dates, serial, key type, files.
    var info: CertificateInfo
}
