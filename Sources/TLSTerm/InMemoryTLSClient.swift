public import NIOCore
import COpenSSL
import CTLSShim

/// A minimal TLS client over memory BIOs: bytes in, bytes out, no socket.
///
/// It exists so that the server side can be exercised without a network — in unit tests
/// through `EmbeddedChannel`, and in the handshake/throughput benchmarks — and it is small
/// enough to be obviously correct. It does not verify the server's certificate chain (it
/// reports the served leaf's serial instead); do not use it to talk to untrusted servers.
///
/// Not `Sendable`: one `SSL`, used from one thread.
public final class InMemoryTLSClient {
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// A client that will offer `serverName` as SNI, `alpnProtocols` via ALPN and, if given,
    /// try to resume `session`. `versions` pins the range (nil: TLS 1.2 to 1.3). `signatureAlgorithms`
    /// (OpenSSL syntax, e.g. `RSA-PSS+SHA256`) limits what the server may sign with.
    public init(
        serverName: String?,
        alpnProtocols: [String] = [],
        versions: ClosedRange<TLSVersion> = .tls1_2 ... .tls1_3,
        signatureAlgorithms: String? = nil,
        session: TLSClientSession? = nil
    ) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .connectionSetupFailed(reason: OpenSSLErrorQueue.drain())
        }
        _ = ctlsshim_ctx_set_min_proto_version(context, versions.lowerBound.openSSLValue)
        _ = ctlsshim_ctx_set_max_proto_version(context, versions.upperBound.openSSLValue)
        if let signatureAlgorithms, ctlsshim_ctx_set1_sigalgs_list(context, signatureAlgorithms) != 1 {
            SSL_CTX_free(context)
            throw .connectionSetupFailed(reason: "bad signature algorithms \(signatureAlgorithms)")
        }
        guard let ssl = SSL_new(context), let rbio = ctlsshim_bio_new_mem(), let wbio = ctlsshim_bio_new_mem() else {
            SSL_CTX_free(context)
            throw .connectionSetupFailed(reason: OpenSSLErrorQueue.drain())
        }
        SSL_set_bio(ssl, rbio, wbio)
        SSL_set_connect_state(ssl)
        if let serverName { _ = ctlsshim_set_tlsext_host_name(ssl, serverName) }
        if !alpnProtocols.isEmpty {
            var wire: [UInt8] = []
            for name in alpnProtocols {
                wire.append(UInt8(truncatingIfNeeded: name.utf8.count))
                wire.append(contentsOf: name.utf8)
            }
            _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count))
        }
        if let session { _ = SSL_set_session(ssl, session.pointer) }
        self.context = context
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Feeds ciphertext from the server.
    public func receive(_ buffer: ByteBuffer) {
        guard let rbio = SSL_get_rbio(ssl) else { return }
        buffer.withUnsafeReadableBytes { _ = BIO_write(rbio, $0.baseAddress, Int32($0.count)) }
    }

    /// Ciphertext for the server, nil if none is pending.
    public func takeCiphertext(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer? {
        guard let wbio = SSL_get_wbio(ssl) else { return nil }
        let pending = ctlsshim_bio_pending(wbio)
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { space in
            max(0, Int(BIO_read(wbio, space.baseAddress, Int32(pending))))
        }
        return buffer
    }

    /// Advances the handshake: true when complete, false when it needs server bytes.
    public func handshake() throws(TLSError) -> Bool {
        OpenSSLErrorQueue.clear()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return true }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return false
        default: throw .handshakeFailed(reason: OpenSSLErrorQueue.drain(fallback: "client handshake failed"))
        }
    }

    /// Encrypts `plaintext`.
    public func write(_ plaintext: ByteBuffer) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        let ok = plaintext.withUnsafeReadableBytes { bytes in
            bytes.isEmpty || SSL_write(ssl, bytes.baseAddress, Int32(bytes.count)) == Int32(bytes.count)
        }
        if !ok { throw .protocolError(reason: OpenSSLErrorQueue.drain(fallback: "client write failed")) }
    }

    /// Decrypts what is buffered: the plaintext (possibly empty), and whether the server's
    /// close_notify was seen. Also processes TLS 1.3 NewSessionTicket messages.
    public func read() throws(TLSError) -> (plaintext: ByteBuffer, closeNotify: Bool) {
        var output = ByteBuffer()
        while true {
            OpenSSLErrorQueue.clear()
            var rc: Int32 = 0
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: 16_384) { space in
                rc = SSL_read(ssl, space.baseAddress, Int32(space.count))
                return max(0, Int(rc))
            }
            if rc > 0 { continue }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return (output, false)
            case SSL_ERROR_ZERO_RETURN: return (output, true)
            default: throw .protocolError(reason: OpenSSLErrorQueue.drain(fallback: "client read failed"))
            }
        }
    }

    /// Queues close_notify.
    public func shutdown() {
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    /// The session to resume later; after TLS 1.3 call ``read()`` once after the handshake so
    /// the server's NewSessionTicket has been processed.
    public func session() -> TLSClientSession? {
        SSL_get1_session(ssl).map(TLSClientSession.init(taking:))
    }

    /// True when the handshake resumed a session.
    public var resumed: Bool { SSL_session_reused(ssl) == 1 }

    /// The negotiated version, nil before the handshake completes.
    public var version: TLSVersion? { TLSVersion(openSSLValue: SSL_version(ssl)) }

    /// The negotiated cipher suite name.
    public var cipher: String? {
        SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) }
    }

    /// The serial number (upper-case hex) of the certificate the server presented.
    public var peerCertificateSerial: String? {
        guard let peer = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(peer) }
        guard let hex = ctlsshim_x509_serial_hex(peer) else { return nil }
        defer { ctlsshim_free(hex) }
        return String(cString: hex)
    }

    /// The key type of the certificate the server presented.
    public var peerCertificateKeyType: CertificateKeyType? {
        guard let peer = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(peer) }
        guard let key = X509_get0_pubkey(peer) else { return nil }
        switch ctlsshim_pkey_kind(key) {
        case 1: return .rsa
        case 2: return .ecdsa
        default: return nil
        }
    }
}

@available(*, unavailable)
extension InMemoryTLSClient: Sendable {}

/// A client-side TLS session that can be offered again for resumption. Owns an `SSL_SESSION`.
///
/// `@unchecked Sendable`: an `SSL_SESSION` is reference counted and, once the handshake that
/// produced it is over, only read by `SSL_set_session` (OpenSSL documents sessions as shareable).
public final class TLSClientSession: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        SSL_SESSION_free(pointer)
    }
}
