/// How the body of a message is delimited (RFC 9112 §6.3), decided once from the head.
public enum HTTPBodyFraming: Hashable, Sendable {
    /// No body: requests without Content-Length/Transfer-Encoding, responses to HEAD,
    /// 1xx, 204 and 304 responses (RFC 9112 §6.3 rules 1 and 7).
    case none
    /// Exactly this many bytes follow (RFC 9112 §6.3 rule 6).
    case contentLength(Int)
    /// Chunked transfer coding (RFC 9112 §7.1) is the final coding.
    case chunked
    /// The body runs until the server closes the connection: responses without a length,
    /// or whose final transfer coding is not chunked (RFC 9112 §6.3 rules 4 and 8).
    case untilClose
    /// The connection stops being HTTP after the head: a 101 response, or a 2xx response
    /// to CONNECT (RFC 9112 §6.3 rule 2, RFC 9110 §7.8).
    case tunnel
}
