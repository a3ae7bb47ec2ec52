public import Logging
public import NIOCore
import COpenSSL
import CTLSShim

/// Everything a TLS listener shares between its connections: the certificate store, the
/// session ticket keys and the "front" `SSL_CTX` every connection starts on.
///
/// Each connection's `SSL` is created on the front context, which owns the server-side
/// session cache and the ticket key callback and lives as long as the listener; the SNI
/// callback then switches the connection to the certificate context the
/// ``CertificateStore`` picks (`SSL_set_SSL_CTX`). Because OpenSSL keeps cache and ticket
/// keys on the context a connection *started* on, sessions stay resumable across certificate
/// reloads.
public final class TLSServerContext: Sendable {
    /// The certificates served, by SNI.
    public let certificates: CertificateStore
    /// The ticket keys, nil when tickets are disabled in the configuration.
    public let ticketKeys: SessionTicketKeyRing?
    /// The configuration shared with ``certificates``.
    public var configuration: TLSConfiguration { certificates.configuration }

    let front: SSLContext
    let logger: Logger

    /// A context for `certificates`' configuration.
    ///
    /// - Parameters:
    ///   - certificates: the store whose snapshot is consulted on every handshake (SNI); its
    ///     configuration sets the protocol policy of the front context too.
    ///   - logger: handed to every ``TLSServerHandler`` of this context, which logs failed
    ///     handshakes and unclean closes at debug level (per connection, so never above it).
    ///   - ticketKeyClock: the clock ticket keys rotate by (inject one in tests).
    /// - Throws: ``TLSConfigurationError`` when OpenSSL refuses the configuration.
    public init(
        certificates: CertificateStore,
        logger: Logger,
        ticketKeyClock: @escaping @Sendable () -> NIODeadline = { .now() }
    ) throws(TLSConfigurationError) {
        let configuration = certificates.configuration
        self.certificates = certificates
        self.logger = logger
        self.front = try SSLContext(configuration: configuration)
        if configuration.sessionTicketsEnabled {
            ticketKeys = SessionTicketKeyRing(
                rotationInterval: configuration.ticketKeyRotationInterval,
                retained: configuration.ticketKeysRetained, now: ticketKeyClock
            )
            guard ctlsshim_ctx_set_ticket_key_callback(front.pointer, ticketKeyCallback) == 1 else {
                throw .openSSLFailure(OpenSSLErrorQueue.drain())
            }
        } else {
            ticketKeys = nil
        }
        let timeout = max(1, configuration.sessionTimeout.nanoseconds / 1_000_000_000)
        if configuration.sessionCacheSize > 0 {
            ctlsshim_ctx_set_server_session_cache(front.pointer, configuration.sessionCacheSize, Int(timeout))
        } else {
            ctlsshim_ctx_disable_session_cache(front.pointer)
            SSL_CTX_set_timeout(front.pointer, Int(timeout))
        }
        ctlsshim_ctx_set_servername_callback(front.pointer, serverNameCallback, nil)
    }

    /// Sessions currently held in the server-side session cache.
    public var cachedSessionCount: Int {
        ctlsshim_ctx_sess_number(front.pointer)
    }
}

/// Every `SSL` carries its ``TLSServerContext`` (unretained) at ex_data index 0, the "app data"
/// slot; ``TLSConnection`` holds the context strongly for as long as the `SSL` exists.
private func serverContext(of ssl: OpaquePointer) -> TLSServerContext? {
    guard let raw = SSL_get_ex_data(ssl, 0) else { return nil }
    return Unmanaged<TLSServerContext>.fromOpaque(raw).takeUnretainedValue()
}

/// SNI: OpenSSL ≥ 1.1.1 calls this for every ClientHello, with or without a server name.
private func serverNameCallback(_ ssl: OpaquePointer?, _ alert: UnsafeMutablePointer<Int32>?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let ssl, let context = serverContext(of: ssl) else { return ctlsshim_tlsext_err_alert_fatal() }
    let name = SSL_get_servername(ssl, Int32(TLSEXT_NAMETYPE_host_name)).map { String(cString: $0) }
    let certificateContext = context.certificates.context(forServerName: name)
    // SSL_set_SSL_CTX takes its own reference: the connection keeps this context even after a
    // reload drops the snapshot that holds it.
    guard SSL_set_SSL_CTX(ssl, certificateContext.pointer) != nil else { return ctlsshim_tlsext_err_alert_fatal() }
    return ctlsshim_tlsext_err_ok()
}

/// Session ticket protection with the rotating key ring (SSL_CTX_set_tlsext_ticket_key_evp_cb).
/// Returns 1 = use, 2 = decrypted with an old key (issue a new ticket), 0 = unknown key (full
/// handshake), -1 = failure.
private func ticketKeyCallback(
    _ ssl: OpaquePointer?, _ keyName: UnsafeMutablePointer<UInt8>?, _ iv: UnsafeMutablePointer<UInt8>?,
    _ cipher: OpaquePointer?, _ mac: OpaquePointer?, _ encrypt: Int32
) -> Int32 {
    guard let ssl, let keyName, let iv, let cipher, let mac,
        let ring = serverContext(of: ssl)?.ticketKeys
    else { return -1 }
    let key: SessionTicketKeyRing.Key
    var result: Int32 = 1
    if encrypt == 1 {
        key = ring.encryptionKey()
        for index in 0..<16 { keyName[index] = key.name[index] }
    } else {
        guard let found = ring.decryptionKey(named: UnsafeRawBufferPointer(start: keyName, count: 16)) else { return 0 }
        key = found.key
        result = found.renew ? 2 : 1
    }
    let ok = key.aesKey.withUnsafeBufferPointer { aes in
        key.hmacKey.withUnsafeBufferPointer { hmac in
            ctlsshim_ticket_crypto_init(cipher, mac, aes.baseAddress, hmac.baseAddress, iv, encrypt)
        }
    }
    return ok == 1 ? result : -1
}
