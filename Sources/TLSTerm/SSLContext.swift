import COpenSSL
import CTLSShim

/// Owns one OpenSSL `SSL_CTX` configured from a ``TLSConfiguration``; frees it in `deinit`.
///
/// `@unchecked Sendable` is safe because the context is only mutated inside `init` (and, for
/// certificate contexts, by ``CertificateSnapshotBuilder`` before the snapshot is published);
/// afterwards it is only read — by `SSL_new` and `SSL_set_SSL_CTX` on any event loop — which
/// OpenSSL documents as thread-safe, and its lifetime is reference counted inside OpenSSL
/// (`SSL_CTX_up_ref`), so an `SSL` that switched to it keeps it alive after this wrapper goes.
final class SSLContext: @unchecked Sendable {
    /// The `SSL_CTX *`.
    let pointer: OpaquePointer

    /// The session ID context shared by every context of this module, so that a session
    /// started on the front context resumes after SNI switched to a certificate context.
    private static let sessionIDContext: [UInt8] = Array("proxyd-tlsterm".utf8)

    /// A server context with every protocol setting from `configuration` and no certificate.
    init(configuration: TLSConfiguration) throws(TLSConfigurationError) {
        OpenSSLErrorQueue.clear()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw .openSSLFailure(OpenSSLErrorQueue.drain())
        }
        self.pointer = ctx
        try configure(configuration)
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    private func configure(_ configuration: TLSConfiguration) throws(TLSConfigurationError) {
        guard configuration.minimumVersion <= configuration.maximumVersion else {
            throw .invalidVersionRange(minimum: configuration.minimumVersion, maximum: configuration.maximumVersion)
        }
        guard configuration.ticketKeysRetained >= 0 else {
            throw .invalidValue(field: "ticketKeysRetained", value: "\(configuration.ticketKeysRetained)")
        }
        guard configuration.sessionCacheSize >= 0 else {
            throw .invalidValue(field: "sessionCacheSize", value: "\(configuration.sessionCacheSize)")
        }
        guard configuration.ticketKeyRotationInterval > .zero else {
            throw .invalidValue(field: "ticketKeyRotationInterval", value: "\(configuration.ticketKeyRotationInterval)")
        }
        guard configuration.sessionTimeout >= .seconds(1) else {
            throw .invalidValue(field: "sessionTimeout", value: "\(configuration.sessionTimeout)")
        }
        guard ctlsshim_ctx_set_min_proto_version(pointer, configuration.minimumVersion.openSSLValue) == 1,
            ctlsshim_ctx_set_max_proto_version(pointer, configuration.maximumVersion.openSSLValue) == 1
        else { throw .openSSLFailure(OpenSSLErrorQueue.drain()) }

        var options = ctlsshim_op_no_compression() | ctlsshim_op_no_renegotiation() | ctlsshim_op_no_tls_below_1_2()
        if configuration.preferServerCipherOrder { options |= ctlsshim_op_cipher_server_preference() }
        if !configuration.sessionTicketsEnabled { options |= ctlsshim_op_no_ticket() }
        SSL_CTX_set_options(pointer, options)
        // Release the 16 KB+ read and write buffers whenever they are empty: an idle connection
        // then holds only the SSL object itself. Partial writes + moving buffers match how the
        // handler hands ByteBuffer storage to SSL_write.
        _ = ctlsshim_ctx_set_mode(
            pointer,
            ctlsshim_mode_release_buffers() | ctlsshim_mode_enable_partial_write()
                | ctlsshim_mode_accept_moving_write_buffer()
        )

        let tls12 = configuration.tls12CipherSuites.joined(separator: ":")
        // An empty TLS 1.2 list is allowed when TLS 1.2 is not enabled at all.
        if !(tls12.isEmpty && configuration.minimumVersion == .tls1_3) {
            guard SSL_CTX_set_cipher_list(pointer, tls12) == 1 else { throw .invalidTLS12CipherSuites(tls12) }
        }
        let tls13 = configuration.tls13CipherSuites.joined(separator: ":")
        guard SSL_CTX_set_ciphersuites(pointer, tls13) == 1 else { throw .invalidTLS13CipherSuites(tls13) }
        if let unknown = configuration.tls13CipherSuites.first(where: { ctlsshim_ctx_has_cipher_named(pointer, $0) != 1 }) {
            throw .unknownTLS13CipherSuite(unknown)
        }
        // DHE suites (a haproxy.cfg list may name them) need a group; without one OpenSSL
        // silently never picks them.
        ctlsshim_ctx_set_dh_auto(pointer)
        if !configuration.signatureAlgorithms.isEmpty {
            let sigalgs = configuration.signatureAlgorithms.joined(separator: ":")
            guard ctlsshim_ctx_set1_sigalgs_list(pointer, sigalgs) == 1 else { throw .invalidSignatureAlgorithms(sigalgs) }
        }
        let groups = configuration.groups.joined(separator: ":")
        guard ctlsshim_ctx_set1_groups_list(pointer, groups) == 1 else { throw .invalidGroups(groups) }

        let alpn = try configuration.alpnWireFormat()
        if !alpn.isEmpty {
            guard ctlsshim_ctx_set_alpn_server_protocols(pointer, alpn, UInt32(alpn.count)) == 1 else {
                throw .openSSLFailure(OpenSSLErrorQueue.drain())
            }
        }
        let sid = Self.sessionIDContext
        guard SSL_CTX_set_session_id_context(pointer, sid, UInt32(sid.count)) == 1 else {
            throw .openSSLFailure(OpenSSLErrorQueue.drain())
        }
        OpenSSLErrorQueue.clear()
    }
}
