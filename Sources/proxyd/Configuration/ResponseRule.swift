/// What a response rule does to the head of a response a backend sent (HAProxy
/// `http-response set-header|add-header|del-header`). Responses proxyd writes itself
/// (redirects, errors, `return`) are left alone, as HAProxy leaves them to `http-response`.
enum ResponseRuleAction: Sendable, Hashable {
    /// Adds a field, keeping existing ones.
    case addHeader(name: String, value: HeaderValueTemplate)
    /// Replaces every field of this name (`Strict-Transport-Security`, the classic).
    case setHeader(name: String, value: HeaderValueTemplate)
    /// Removes every field of this name (`Server`, `X-Powered-By`).
    case removeHeader(name: String)
}

/// One response rule: an action, taken when its condition holds.
///
/// The condition and the value's samples are the request's connection facts (TLS, client
/// address): HAProxy has no request path or request headers left when a response arrives, and
/// the response's own fields (`status`, `res.hdr`) are not offered, so the rule is decided when
/// the request is routed and only its edits wait for the response.
struct ResponseRule: Sendable, Hashable {
    var action: ResponseRuleAction
    var condition: RuleCondition = .always
    var location: SourceLocation

    /// Why `condition` cannot decide a response rule, or nil: what it reads is gone by the time
    /// HAProxy evaluates `http-response` (it warns "will never match"), so proxyd refuses it
    /// rather than match what HAProxy never would.
    static func problem(with condition: RuleCondition) -> String? {
        switch condition {
        // The connection's facts and the request method are still known when the response
        // arrives (HAProxy keeps them in the transaction).
        case .always, .tls, .source, .method: return nil
        case .sample(let match):
            switch match.sample {
            case .serverName: return nil
            case .path, .url, .query, .urlParameter:
                return "a condition on the request's path, URL or query reads what HAProxy no longer has when the response arrives (it never matches there)"
            case .header:
                return "a header condition (hdr(), req.hdr()) in a response rule reads the response's headers in HAProxy, not the request's; proxyd does not evaluate response headers"
            }
        case .pathPrefix: return "a path condition (path_beg, path_prefix) reads the request's path, which HAProxy no longer has when the response arrives (it never matches there)"
        case .host: return "a host condition (hdr(host), host) in a response rule reads the response's headers in HAProxy, not the request's; proxyd does not evaluate response headers"
        case .not(let inner): return problem(with: inner)
        case .all(let terms), .any(let terms): return terms.lazy.compactMap(problem(with:)).first
        }
    }

    /// Why `value` cannot be a response header value, or nil: `hdr()` reads the response in
    /// HAProxy's `http-response`, and `req.hdr()` is refused there.
    static func problem(with value: HeaderValueTemplate) -> String? {
        for part in value.parts {
            if case .requestHeader(let name) = part {
                return "'%[req.hdr(\(name))]' cannot be used in a response rule: request headers are gone when the response arrives (HAProxy refuses req.hdr there and reads hdr() from the response)"
            }
        }
        return nil
    }
}
