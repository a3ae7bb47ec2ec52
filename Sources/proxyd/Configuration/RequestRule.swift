/// What a request rule does. Rules run in the order written, before routing.
enum RequestRuleAction: Sendable, Hashable {
    /// Answers with a redirect to the same host and path on another scheme
    /// (`redirect scheme https code 301`).
    /// `port` replaces the port of the Host (e.g. 8443 when HTTPS is not on 443); nil keeps
    /// the Host as sent, as HAProxy does.
    case redirectScheme(scheme: String, code: Int, port: Int? = nil)
    /// Answers with a redirect to a fixed location prefix (`redirect prefix URL code 302`).
    case redirectPrefix(prefix: String, code: Int)
    /// Adds a header, keeping existing ones (`http-request add-header`).
    case addHeader(name: String, value: HeaderValueTemplate)
    /// Replaces every existing value of a header (`http-request set-header`).
    case setHeader(name: String, value: HeaderValueTemplate)
    /// Removes a header (`http-request del-header`).
    case removeHeader(name: String)
    /// Refuses the request with proxyd's own error response for this status (HAProxy
    /// `http-request deny [deny_status N]`, 403 by default), so `errorfile` pages apply to it.
    case deny(status: Int)
    /// Answers with a response written in the configuration (`http-request return`).
    case respond(ConfiguredResponse)
    /// The request passes: the list's later rules are skipped, except redirect rules, which
    /// HAProxy runs after every `http-request` rule (`http-request allow`).
    case allow
}

/// One request rule: an action, taken when its condition holds.
struct RequestRule: Sendable, Hashable {
    var action: RequestRuleAction
    var condition: RuleCondition = .always
    var location: SourceLocation
}

/// Sends matching requests to a backend other than the listener's default
/// (`use_backend NAME if CONDITION`). The first matching route wins.
struct Route: Sendable, Hashable {
    var backend: String
    var condition: RuleCondition
    var location: SourceLocation
}
