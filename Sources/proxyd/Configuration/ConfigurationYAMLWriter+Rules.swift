import Yams

/// Writes the rule actions that answer a request and the response rules, in the shapes the
/// loader reads (`YAMLConfigurationLoader+Rules.swift`), so `proxyd convert` round-trips them.
extension ConfigurationYAMLWriter {
    /// `rules:` and `response_rules:` of a backend (request and response) or a listener
    /// (response only; its request rules are written with its other keys).
    static func ruleEntries(request: [RequestRule], response: [ResponseRule]) -> [(String, Node)] {
        var entries: [(String, Node)] = []
        if !request.isEmpty { entries.append(("rules", .sequence(.init(request.map(node(for:)))))) }
        if !response.isEmpty { entries.append(("response_rules", .sequence(.init(response.map(node(for:)))))) }
        return entries
    }

    static func answeringEntries(_ action: RequestRuleAction) -> [(String, Node)] {
        switch action {
        case .deny(let status): return [("deny", Node(String(status)))]
        case .allow: return [("allow", Node("true"))]
        case .respond(let response):
            var r: [(Node, Node)] = [("status", Node(String(response.status)))]
            if let contentType = response.contentType { r.append(("content_type", Node(contentType, .implicit, .doubleQuoted))) }
            if !response.body.isEmpty { r.append(("body", Node(response.body, .implicit, .doubleQuoted))) }
            if !response.headers.isEmpty {
                r.append(("headers", .sequence(.init(response.headers.map { header in
                    headerNode(header.name, header.value)
                }))))
            }
            return [("return", .mapping(.init(r)))]
        default: return []
        }
    }

    private static func headerNode(_ name: String, _ value: HeaderValueTemplate) -> Node {
        let pairs: [(Node, Node)] = [(Node("name"), Node(name)), (Node("value"), Node(value.description, .implicit, .doubleQuoted))]
        return .mapping(.init(pairs))
    }

    static func node(for rule: ResponseRule) -> Node {
        var entries: [(Node, Node)]
        switch rule.action {
        case .addHeader(let name, let value):
            entries = [("add_header", headerNode(name, value))]
        case .setHeader(let name, let value):
            entries = [("set_header", headerNode(name, value))]
        case .removeHeader(let name): entries = [("remove_header", Node(name))]
        }
        entries += conditionEntries(rule.condition).map { (Node($0.0), $0.1) }
        return .mapping(.init(entries))
    }
}
