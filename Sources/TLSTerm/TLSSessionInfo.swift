/// What a completed handshake negotiated — what a proxy needs for `X-Forwarded-Proto`,
/// HAProxy-style `X-SSL` headers, logs and routing by SNI.
public struct TLSSessionInfo: Sendable, Hashable {
    /// TLS 1.2 or 1.3.
    public var version: TLSVersion
    /// The cipher suite, OpenSSL's name (`TLS_AES_128_GCM_SHA256`, `ECDHE-ECDSA-AES128-GCM-SHA256`).
    public var cipher: String
    /// The ALPN protocol agreed (RFC 7301), nil when the client offered none we speak.
    public var alpnProtocol: String?
    /// The SNI host name the client sent (RFC 6066 §3), nil when it sent none.
    public var serverName: String?
    /// True when the session was resumed (ticket or session cache) instead of a full handshake.
    public var resumed: Bool

    /// All fields.
    public init(version: TLSVersion, cipher: String, alpnProtocol: String?, serverName: String?, resumed: Bool) {
        self.version = version
        self.cipher = cipher
        self.alpnProtocol = alpnProtocol
        self.serverName = serverName
        self.resumed = resumed
    }
}

/// The user inbound event ``TLSServerHandler`` fires once the handshake completes, before any
/// decrypted byte: handlers after it learn the negotiated parameters without polling.
public struct TLSHandshakeCompleted: Sendable, Hashable {
    /// What was negotiated.
    public var session: TLSSessionInfo

    /// Wraps `session`.
    public init(session: TLSSessionInfo) {
        self.session = session
    }
}
