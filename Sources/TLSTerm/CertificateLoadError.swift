/// A certificate source that cannot be loaded: names the file and says what is wrong with it.
///
/// ``CertificateStore`` throws it from `init` and ``CertificateStore/reload()``; a failed
/// reload keeps the previous certificates serving.
public struct CertificateLoadError: Error, Hashable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Problem: Hashable, Sendable {
        /// The file cannot be read: `errno` from `open`/`read` (e.g. `ENOENT`, `EACCES`).
        case unreadable(errno: Int32)
        /// The PEM structure is broken at `line` (1-based): missing END, bad base64...
        case malformedPEM(line: Int, reason: String)
        /// A PEM block has the right shape but OpenSSL cannot decode it (bad DER).
        case undecodableBlock(line: Int, label: String, reason: String)
        /// The file (or pair) holds no `CERTIFICATE` block.
        case noCertificate
        /// The file (or pair) holds no private key.
        case noPrivateKey
        /// More than one private key: which certificate it belongs to would be a guess.
        case multiplePrivateKeys
        /// The private key is encrypted; a server cannot prompt for a passphrase at startup.
        case encryptedPrivateKey
        /// The private key matches none of the certificates.
        case keyDoesNotMatchCertificate
        /// The key is neither RSA nor ECDSA (Ed25519 is not in Mozilla intermediate).
        case unsupportedKeyType
        /// A directory source holds no certificate files.
        case emptyDirectory
        /// OpenSSL refused the certificate, key or chain for the context.
        case rejectedByOpenSSL(reason: String)
        /// The process is confined to `jail` (chroot) and the file lies under no directory
        /// opened before (see ``PinnedDirectories``).
        case outsideChroot(jail: String)
    }

    /// The file the problem is in (as configured, before following symlinks).
    public var file: String
    /// What is wrong with it.
    public var problem: Problem

    /// A load error for `file`.
    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    public var description: String {
        let what: String
        switch problem {
        case .unreadable(let code): what = "cannot be read (\(POSIXFile.describe(errno: code)))"
        case .malformedPEM(let line, let reason): what = "is not valid PEM at line \(line): \(reason)"
        case .undecodableBlock(let line, let label, let reason):
            what = "has a \(label) block at line \(line) that OpenSSL cannot decode: \(reason)"
        case .noCertificate: what = "contains no certificate"
        case .noPrivateKey: what = "contains no private key"
        case .multiplePrivateKeys: what = "contains more than one private key"
        case .encryptedPrivateKey: what = "has an encrypted private key (passphrases are not supported; decrypt it with `openssl pkey`)"
        case .keyDoesNotMatchCertificate: what = "has a private key that does not match the certificate"
        case .unsupportedKeyType: what = "has a key that is neither RSA nor ECDSA"
        case .emptyDirectory: what = "contains no certificate files"
        case .rejectedByOpenSSL(let reason): what = "was rejected by OpenSSL: \(reason)"
        case .outsideChroot(let jail):
            what = "is outside the chroot \(jail) and in no directory opened before it; restart proxyd to load a certificate from a new directory"
        }
        return "\(file) \(what)"
    }
}
