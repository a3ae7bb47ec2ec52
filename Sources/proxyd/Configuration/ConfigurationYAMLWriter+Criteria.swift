import Yams

extension ConfigurationYAMLWriter {
    /// The YAML key of an ACL criterion (see `YAMLSectionReader+Criteria` for the form), so
    /// that `proxyd convert` carries every criterion haproxy.cfg can say.
    static func criterionTerms(_ condition: RuleCondition) -> [(String, Node)] {
        switch condition {
        case .source(let networks):
            return [("src", .sequence(.init(networks.map { Node($0.description) })))]
        case .method(let match):
            let names = Node.sequence(.init(match.patterns.map { Node($0) }))
            guard match.ignoreCase else { return [("method", names)] }
            return [("method", .mapping(.init([(Node("names"), names), (Node("ignore_case"), Node("true"))])))]
        case .sample(let match):
            var entries: [(Node, Node)] = []
            let key: String
            switch match.sample {
            case .path: key = "path"
            case .url: key = "url"
            case .query: key = "query"
            case .serverName: key = "sni"
            case .header(let name):
                key = "header"
                entries.append((Node("name"), Node(name)))
            case .urlParameter(let name, let delimiter):
                key = "url_param"
                entries.append((Node("name"), Node(name)))
                if delimiter != UInt8(ascii: "?") { entries.append((Node("delimiter"), Node(String(decoding: [delimiter], as: UTF8.self)))) }
            }
            let list: ([String]) -> Node = { .sequence(.init($0.map { Node($0) })) }
            switch match.test {
            case .exact(let values): entries.append((Node("equals"), list(values)))
            case .prefix(let values): entries.append((Node("prefix"), list(values)))
            case .suffix(let values): entries.append((Node("suffix"), list(values)))
            case .substring(let values): entries.append((Node("contains"), list(values)))
            case .directory(let values): entries.append((Node("dir"), list(values)))
            case .domain(let values): entries.append((Node("domain"), list(values)))
            case .regex(let regexes): entries.append((Node("regex"), list(regexes.map(\.pattern))))
            case .length(let ranges):
                entries.append((Node("length"), list(ranges.map { range in
                    if range.lowerBound == range.upperBound { return String(range.lowerBound) }
                    return "\(range.lowerBound):" + (range.upperBound == .max ? "" : String(range.upperBound))
                })))
            case .found: entries.append((Node("exists"), Node("true")))
            }
            if match.ignoreCase { entries.append((Node("ignore_case"), Node("true"))) }
            return [(key, .mapping(.init(entries)))]
        default:
            return []
        }
    }
}
