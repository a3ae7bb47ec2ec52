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
