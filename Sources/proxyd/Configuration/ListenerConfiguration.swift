/// One listening socket and what happens to the requests it accepts.
struct ListenerConfiguration: Sendable, Hashable {
    var name: String
    var bind: BindAddress
    /// Present when the listener terminates TLS.
    var tls: ListenerTLSConfiguration?
    /// Rules in order: redirects answer at once; header edits apply to the forwarded request.
    var rules: [RequestRule] = []
    /// Edits to the head of every response a backend sends, after the backend's own.
    var responseRules: [ResponseRule] = []
    /// Routes in order; the first whose condition holds picks the backend.
    var routes: [Route] = []
    /// The backend for requests no route matches. A listener whose every request is
    /// redirected may have none; any other request then gets a 503.
    var defaultBackend: String?
    /// Whether to append the client to `X-Forwarded-For` and set `X-Forwarded-Proto`,
    /// `X-Forwarded-Host` and `X-Forwarded-Port` (HAProxy `option forwardfor`, on by default
    /// here because a proxy in front of ECS tasks always wants it).
    var forwardedHeaders = true
    /// Whether to also send RFC 7239 `Forwarded`.
    var rfc7239Forwarded = false
    /// Open connections this listener may hold at once (nil: only the global
    /// `limits.max_connections` applies). At the limit the listener stops accepting, like
    /// the global limit, so one busy listener cannot take every slot from the others.
    var maxConnections: Int?
    /// Pages sent instead of proxyd's own error responses, by status, when no backend page
    /// applies (see ``ErrorPageTable``).
    var errorPages: [Int: ErrorPage] = [:]
    var location: SourceLocation
}

/// TLS on a listener: where the certificates are and what to offer.
struct ListenerTLSConfiguration: Sendable, Hashable {
    /// Files or directories: a combined PEM (HAProxy `crt`), a certbot `live/NAME/` directory
    /// (`fullchain.pem` + `privkey.pem`), or a directory of either.
    var certificates: [String]
    /// The first certificate loaded from this path answers clients without a matching SNI name.
    var defaultCertificate: String?
    var alpn: [String] = ["http/1.1"]
    /// `tls1.2` (the default, Mozilla "intermediate") or `tls1.3`.
    var minimumVersion: String = "tls1.2"
    /// `tls1.3` (the default) or `tls1.2`.
    var maximumVersion: String = "tls1.3"
    /// The TLS 1.2 cipher string in OpenSSL syntax; nil: Mozilla intermediate's list.
    var ciphers: String?
    /// The TLS 1.3 suites, colon-separated IANA names; nil: Mozilla intermediate's three.
    var ciphersuites: String?
    /// Key exchange groups, colon-separated OpenSSL names; nil: X25519, P-256, P-384.
    var curves: String?
    /// Signature algorithms, OpenSSL syntax; nil: OpenSSL's list.
    var signatureAlgorithms: String?
    /// RFC 5077 / RFC 8446 §4.6.1 session tickets (HAProxy `no-tls-tickets` turns them off).
    var sessionTickets = true
    /// The server's cipher order over the client's (see `ListenerTLSConfiguration+OpenSSL`).
    var preferServerCiphers = false
}
