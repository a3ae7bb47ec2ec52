import COpenSSL
import CTLSShim
import NIOCore

/// One server-side TLS connection: an OpenSSL `SSL` between two memory BIOs. Ciphertext goes
/// in with ``receive(_:)`` and comes out with ``takeCiphertext(allocator:)``; the caller moves
/// it to and from the socket. No I/O and no NIO channel here, so the engine can be driven by
/// the handler, by tests and by the in-memory benchmark alike.
///
/// Not `Sendable`: an `SSL` must only be used from one thread at a time; the handler confines
/// it to its channel's event loop.
final class TLSConnection {
    /// Result of one handshake step.
    enum HandshakeResult: Equatable {
        /// Done; application data may follow.
        case complete
        /// Needs more bytes from the peer.
        case wantRead
        /// Failed; alert bytes may be waiting in the output.
        case failed(reason: String)
    }

    /// Result of one read.
    enum ReadResult: Equatable {
        /// Plaintext bytes were appended to the buffer.
        case bytes(Int)
        /// No complete record is buffered.
        case wantRead
        /// The peer sent `close_notify` (RFC 8446 §6.1).
        case closeNotify
        /// A record failed (bad MAC, unexpected message...).
        case failed(reason: String)
    }

    private let ssl: OpaquePointer
    /// Kept strongly: the SNI and ticket callbacks find it through the `SSL`'s ex_data.
    let context: TLSServerContext

    /// Memory BIOs that hold more than this after being drained are swapped for fresh ones
    /// when the connection goes idle. A drained memory BIO keeps its whole buffer (the
    /// ClientHello, the server's certificate flight...): measured with 1,000 idle TLS 1.3
    /// connections, releasing every such buffer saves 1.2 KB per connection against a 1 KB
    /// limit, for about four small allocations per read burst.
    private static let idleBIOCapacityLimit = 0

    /// A connection in server (accept) state on `context`'s front `SSL_CTX`.
    init(context: TLSServerContext) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.front.pointer) else {
            throw .connectionSetupFailed(reason: OpenSSLErrorQueue.drain())
        }
        guard let rbio = ctlsshim_bio_new_mem(), let wbio = ctlsshim_bio_new_mem() else {
            SSL_free(ssl)
            throw .connectionSetupFailed(reason: OpenSSLErrorQueue.drain(fallback: "BIO_new failed"))
        }
        SSL_set_bio(ssl, rbio, wbio)
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        self.context = context
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(context).toOpaque())
    }

    deinit {
        // A peer that closes TCP after a completed handshake without close_notify (browsers,
        // scanners, load balancers do) must not cost its session: OpenSSL drops the session
        // of an SSL freed without a shutdown from the server cache, which TLS 1.0 required
        // and RFC 5246 §7.2.1 no longer does. A fatal alert has already removed it.
        if SSL_is_init_finished(ssl) == 1 {
            SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN)
        }
        SSL_free(ssl)
    }

    /// Appends ciphertext from the peer.
    func receive(_ buffer: ByteBuffer) {
        guard let rbio = SSL_get_rbio(ssl) else { return }
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let chunk = Int32(min(bytes.count - offset, Int(Int32.max)))
                let written = BIO_write(rbio, bytes.baseAddress.map { $0 + offset }, chunk)
                if written <= 0 { return }
                offset += Int(written)
            }
        }
    }

    /// Advances the handshake with whatever input is buffered.
    func handshake() -> HandshakeResult {
        OpenSSLErrorQueue.clear()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return .complete }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        default:
            return .failed(reason: OpenSSLErrorQueue.drain(fallback: "handshake aborted"))
        }
    }

    /// True when a read could produce plaintext without more input (bytes buffered in the
    /// input BIO or inside OpenSSL); lets the caller skip allocating a read buffer.
    var hasBufferedInput: Bool {
        guard let rbio = SSL_get_rbio(ssl) else { return false }
        return ctlsshim_bio_pending(rbio) > 0 || SSL_pending(ssl) > 0
    }

    /// Decrypts one record's worth (or less) into `buffer`.
    func read(into buffer: inout ByteBuffer) -> ReadResult {
        OpenSSLErrorQueue.clear()
        var rc: Int32 = 0
        // Size the buffer to what can come out (at most one 16 KiB record per call), so a
        // small request does not travel downstream in a 16 KiB allocation.
        let available = (SSL_get_rbio(ssl).map { ctlsshim_bio_pending($0) } ?? 0) + Int(max(0, SSL_pending(ssl)))
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: min(16_384, max(512, available))) { space in
            rc = SSL_read(ssl, space.baseAddress, Int32(min(space.count, Int(Int32.max))))
            return rc > 0 ? Int(rc) : 0
        }
        if rc > 0 { return .bytes(Int(rc)) }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        case SSL_ERROR_ZERO_RETURN:
            return .closeNotify
        default:
            return .failed(reason: OpenSSLErrorQueue.drain(fallback: "read failed"))
        }
    }

    /// Encrypts all of `plaintext` into the output BIO (a memory BIO never pushes back, so
    /// this always consumes everything unless OpenSSL fails).
    func write(_ plaintext: ByteBuffer) -> Result<Void, TLSError> {
        OpenSSLErrorQueue.clear()
        return plaintext.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let chunk = Int32(min(bytes.count - offset, Int(Int32.max)))
                let rc = SSL_write(ssl, bytes.baseAddress.map { $0 + offset }, chunk)
                guard rc > 0 else {
                    return .failure(.protocolError(reason: OpenSSLErrorQueue.drain(fallback: "write failed")))
                }
                offset += Int(rc)
            }
            return .success(())
        }
    }

    /// Queues our `close_notify` alert (RFC 8446 §6.1).
    func shutdown() {
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    /// The ciphertext OpenSSL produced since the last call, or nil if none.
    func takeCiphertext(allocator: ByteBufferAllocator) -> ByteBuffer? {
        guard let wbio = SSL_get_wbio(ssl) else { return nil }
        let pending = ctlsshim_bio_pending(wbio)
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { space in
            let rc = BIO_read(wbio, space.baseAddress, Int32(min(pending, Int(Int32.max))))
            return rc > 0 ? Int(rc) : 0
        }
        return buffer
    }

    /// Swaps drained BIOs holding more than ``idleBIOCapacityLimit`` bytes for fresh ones, so the
    /// connection keeps no packet-sized buffers while idle (OpenSSL's own record buffers are
    /// released by SSL_MODE_RELEASE_BUFFERS).
    func releaseIdleBuffers() {
        if let rbio = SSL_get_rbio(ssl), ctlsshim_bio_pending(rbio) == 0,
            ctlsshim_bio_mem_capacity(rbio) > Self.idleBIOCapacityLimit,
            let fresh = ctlsshim_bio_new_mem()
        {
            SSL_set0_rbio(ssl, fresh)
        }
        if let wbio = SSL_get_wbio(ssl), ctlsshim_bio_pending(wbio) == 0,
            ctlsshim_bio_mem_capacity(wbio) > Self.idleBIOCapacityLimit,
            let fresh = ctlsshim_bio_new_mem()
        {
            SSL_set0_wbio(ssl, fresh)
        }
    }

    /// Bytes the two memory BIOs keep allocated (drained or not), for tests of
    /// ``releaseIdleBuffers()``.
    var bioCapacity: Int {
        (SSL_get_rbio(ssl).map { ctlsshim_bio_mem_capacity($0) } ?? 0)
            + (SSL_get_wbio(ssl).map { ctlsshim_bio_mem_capacity($0) } ?? 0)
    }

    /// What the handshake negotiated; meaningful once ``handshake()`` returned `.complete`.
    var sessionInfo: TLSSessionInfo {
        let version = TLSVersion(openSSLValue: SSL_version(ssl)) ?? .tls1_2
        let cipher = SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) } ?? ""
        var alpnData: UnsafePointer<UInt8>?
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &alpnData, &alpnLength)
        let alpn = alpnData.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(alpnLength)), as: UTF8.self) }
        let serverName = SSL_get_servername(ssl, Int32(TLSEXT_NAMETYPE_host_name)).map { String(cString: $0) }
        return TLSSessionInfo(
            version: version, cipher: cipher, alpnProtocol: alpnLength > 0 ? alpn : nil,
            serverName: serverName, resumed: SSL_session_reused(ssl) == 1
        )
    }
}
