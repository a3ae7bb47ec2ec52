/// A condition on a request: the HAProxy ACLs that front-end rules in the ECS setup use,
/// combined as HAProxy combines them (`if A !B || C`). Evaluated per request against facts
/// the forwarding pipeline already has (TLS or not, path, Host), so it costs no parsing.
indirect enum RuleCondition: Sendable, Hashable {
    /// Always holds.
    case always
    /// The client connection uses TLS (HAProxy `ssl_fc`).
    case tls
    /// The path starts with one of these (HAProxy `path_beg`).
    case pathPrefix([String])
    /// The Host header, port removed, equals one of these, case-insensitively
    /// (HAProxy `hdr(host) -i NAME`).
    case host([String])
    case not(RuleCondition)
    /// Every condition holds (an empty list always holds).
    case all([RuleCondition])
    /// At least one condition holds.
    case any([RuleCondition])

    /// The conjunction of `terms` in its normal form: nested conjunctions flattened, `always`
    /// dropped, a single term on its own. Both readers build conditions through this, so that
    /// equal meanings written the same way compare equal (and `convert` round-trips).
    static func allOf(_ terms: [RuleCondition]) -> RuleCondition {
        var flat: [RuleCondition] = []
        for term in terms {
            switch term {
            case .always: continue
            case .all(let inner): flat += inner
            default: flat.append(term)
            }
        }
        switch flat.count {
        case 0: return .always
        case 1: return flat[0]
        default: return .all(flat)
        }
    }
}

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
