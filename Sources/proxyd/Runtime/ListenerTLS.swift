import Foundation
import Logging
import TLSTerm

/// Builds a TLS listener's shared state from its configuration: the certificate store (which
/// also watches the files, so certbot renewals are served without a restart) and the
/// `TLSServerContext` every connection of the listener starts on.
enum ListenerTLS {
    /// How a configured path is read: a certbot `live/NAME/` directory (it holds
    /// `fullchain.pem`), any other directory (HAProxy's `crt DIR`), or one combined PEM file.
    /// `pinned`: after a chroot, the files are looked at through the directories opened before.
    static func source(for path: String, pinned: PinnedDirectories? = nil) -> CertificateSource {
        let directories = pinned ?? PinnedDirectories()
        guard directories.isDirectory(path) else { return .combinedPEM(path) }
        let fullchain = (path as NSString).appendingPathComponent("fullchain.pem")
        return directories.isRegularFile(fullchain) ? .certbot(liveDirectory: path) : .directory(path)
    }

    /// Mozilla "intermediate" with the listener's own TLS policy (versions, ciphers, groups,
    /// tickets, cipher order, ALPN).
    static func configuration(for tls: ListenerTLSConfiguration) -> TLSConfiguration {
        tls.openSSLConfiguration
    }

    /// - Parameter pinned: with `chroot`, the set the certificates' directories are pinned in.
    static func context(for tls: ListenerTLSConfiguration, logger: Logger, pinned: PinnedDirectories? = nil) throws -> TLSServerContext {
        var paths = tls.certificates
        // The default certificate answers clients without a matching SNI name: load it first.
        if let preferred = tls.defaultCertificate, let index = paths.firstIndex(of: preferred) {
            paths.insert(paths.remove(at: index), at: 0)
        }
        let store = try CertificateStore(sources: paths.map { source(for: $0, pinned: pinned) }, configuration: configuration(for: tls), logger: logger, pinned: pinned)
        return try TLSServerContext(certificates: store, logger: logger)
    }
}
