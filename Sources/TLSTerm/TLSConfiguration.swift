public import NIOCore

/// How a TLS listener negotiates: versions, ciphers, groups, ALPN, session resumption and the
/// handshake timeout. A value type: build one, hand it to a ``CertificateStore``.
///
/// The default, ``mozillaIntermediate``, follows Mozilla's server-side TLS guidelines 6.0,
/// "intermediate" profile (`shared/corpora/tls/mozilla-guidelines/6.0.json`,
/// `configurations.intermediate`): TLS 1.2 + 1.3, the six ECDHE AES-GCM / ChaCha20-Poly1305
/// suites for TLS 1.2 in Mozilla's order, the three TLS 1.3 suites, groups X25519, P-256,
/// P-384, and the client's cipher preference (`server_preferred_order: false`). Mozilla 6.0
/// lists `X25519MLKEM768` first; OpenSSL 3.0 has no ML-KEM, so it is left out.
///
/// Renegotiation and TLS compression are always off (CRIME, RFC 7457 §2.6, and the
/// renegotiation attacks of RFC 5746 are simply not reachable).
public struct TLSConfiguration: Sendable, Hashable {
    /// The lowest version accepted. A client offering only older versions gets a
    /// `protocol_version` alert (RFC 8446 §E.5).
    public var minimumVersion: TLSVersion
    /// The highest version negotiated.
    public var maximumVersion: TLSVersion
    /// TLS 1.2 cipher suites, OpenSSL names, in preference order (`SSL_CTX_set_cipher_list`).
    public var tls12CipherSuites: [String]
    /// TLS 1.3 cipher suites, IANA names, in preference order (`SSL_CTX_set_ciphersuites`).
    public var tls13CipherSuites: [String]
    /// Key exchange groups, OpenSSL names (`X25519`, `prime256v1`, `secp384r1`).
    public var groups: [String]
    /// Signature algorithms the server accepts for the handshake signature, OpenSSL syntax
    /// (`ECDSA+SHA256`, `RSA-PSS+SHA256`; `SSL_CTX_set1_sigalgs_list`). Empty: OpenSSL's list.
    public var signatureAlgorithms: [String] = []
    /// Prefer the server's cipher order over the client's. Mozilla intermediate says no: every
    /// offered suite is strong, and clients know whether they have AES hardware.
    public var preferServerCipherOrder: Bool
    /// ALPN protocols in server preference order (RFC 7301 §3.2). A client that offers none of
    /// them still connects, without ALPN — as HAProxy and nginx do.
    public var alpnProtocols: [String]
    /// Stateless session tickets (RFC 5077, RFC 8446 §4.6.1), encrypted with keys from a ring
    /// that rotates every ``ticketKeyRotationInterval``.
    public var sessionTicketsEnabled: Bool
    /// How long a ticket key encrypts new tickets before the next one takes over.
    public var ticketKeyRotationInterval: TimeAmount
    /// How many previous ticket keys still decrypt (and renew) tickets after a rotation.
    public var ticketKeysRetained: Int
    /// Entries of the server-side session cache (session-ID resumption for TLS 1.2 clients
    /// without tickets); 0 turns the cache off. HAProxy's `tune.ssl.cachesize` default is 20000.
    public var sessionCacheSize: Int
    /// Lifetime of a resumable session, cached or ticketed (HAProxy `tune.ssl.lifetime`: 300 s).
    public var sessionTimeout: TimeAmount
    /// A connection that has not completed its handshake after this long is closed.
    public var handshakeTimeout: TimeAmount

    /// Mozilla "intermediate" 6.0 with ALPN `http/1.1`, tickets rotated hourly, a 20,000-entry
    /// session cache, 300 s sessions and a 10 s handshake timeout.
    public static let mozillaIntermediate = TLSConfiguration(
        minimumVersion: .tls1_2,
        maximumVersion: .tls1_3,
        // 6.0.json configurations.intermediate.ciphers.openssl, in that order.
        tls12CipherSuites: [
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
            "ECDHE-RSA-CHACHA20-POLY1305",
        ],
        // 6.0.json configurations.intermediate.ciphersuites.
        tls13CipherSuites: [
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
        ],
        // 6.0.json configurations.intermediate.tls_curves without X25519MLKEM768.
        groups: ["X25519", "prime256v1", "secp384r1"],
        preferServerCipherOrder: false,
        alpnProtocols: ["http/1.1"],
        sessionTicketsEnabled: true,
        ticketKeyRotationInterval: .hours(1),
        ticketKeysRetained: 1,
        sessionCacheSize: 20_000,
        sessionTimeout: .seconds(300),
        handshakeTimeout: .seconds(10)
    )

    /// Every field spelled out; prefer starting from ``mozillaIntermediate`` and changing one.
    public init(
        minimumVersion: TLSVersion,
        maximumVersion: TLSVersion,
        tls12CipherSuites: [String],
        tls13CipherSuites: [String],
        groups: [String],
        preferServerCipherOrder: Bool,
        alpnProtocols: [String],
        sessionTicketsEnabled: Bool,
        ticketKeyRotationInterval: TimeAmount,
        ticketKeysRetained: Int,
        sessionCacheSize: Int,
        sessionTimeout: TimeAmount,
        handshakeTimeout: TimeAmount,
        signatureAlgorithms: [String] = []
    ) {
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.tls12CipherSuites = tls12CipherSuites
        self.tls13CipherSuites = tls13CipherSuites
        self.groups = groups
        self.preferServerCipherOrder = preferServerCipherOrder
        self.alpnProtocols = alpnProtocols
        self.sessionTicketsEnabled = sessionTicketsEnabled
        self.ticketKeyRotationInterval = ticketKeyRotationInterval
        self.ticketKeysRetained = ticketKeysRetained
        self.sessionCacheSize = sessionCacheSize
        self.sessionTimeout = sessionTimeout
        self.handshakeTimeout = handshakeTimeout
        self.signatureAlgorithms = signatureAlgorithms
    }

    /// Hands every setting to OpenSSL on a throwaway `SSL_CTX` and throws what it refuses, so a
    /// configuration reader can report a bad cipher string, suite, group or version range at
    /// load time with the line it came from, judged by the OpenSSL that will serve it.
    public func validate() throws(TLSConfigurationError) {
        _ = try SSLContext(configuration: self)
    }

    /// The ALPN list in wire format (RFC 7301 §3.1: each name prefixed by its length).
    func alpnWireFormat() throws(TLSConfigurationError) -> [UInt8] {
        var wire: [UInt8] = []
        for name in alpnProtocols {
            let bytes = Array(name.utf8)
            guard (1...255).contains(bytes.count) else { throw .invalidALPNProtocol(name) }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        return wire
    }
}
