/// What a string ACL reads from the request: HAProxy's sample fetches that proxyd evaluates.
enum ACLSample: Sendable, Hashable {
    /// `path`: the request-target's path, from its first `/` to before `?`.
    case path
    /// `url`: the request-target as sent.
    case url
    /// `query`: what follows the first `?` of the target; absent without one.
    case query
    /// `hdr(NAME)` / `req.hdr(NAME)`: every comma-separated value of every occurrence of the
    /// header (HAProxy's ACL iteration), trimmed of spaces and tabs. The name is lower-case.
    case header(String)
    /// `url_param(NAME[,DELIM])` / `urlp`: every value of the query parameter `NAME`
    /// (case-sensitive, not URL-decoded), after the first `?` (or `DELIM`), parameters
    /// separated by `&`, `;` (or `DELIM`).
    case urlParameter(name: String, delimiter: UInt8)
    /// `ssl_fc_sni`: the server name the TLS client sent; absent on plain HTTP or without SNI.
    case serverName
}
