/// A condition on a request: HAProxy ACLs, combined as HAProxy combines them (`if A !B || C`).
/// Each criterion is compiled when the configuration loads (lower-cased patterns for `-i`,
/// networks as integers, compiled regexes) and evaluated per request against facts the
/// forwarding pipeline already has, comparing bytes in place: evaluation allocates nothing.
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
    /// The client address lies in one of these networks (HAProxy `src`).
    case source([IPNetwork])
    /// The request method matches (HAProxy `method`).
    case method(ACLMethodMatch)
    /// A string sample of the request matches (HAProxy `path_end`, `hdr_sub(NAME)`,
    /// `query -m found`, `ssl_fc_sni`…).
    case sample(ACLStringMatch)
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
