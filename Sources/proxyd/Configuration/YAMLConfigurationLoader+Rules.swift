import Yams

/// The rule actions that answer a request (`deny`, `return`, `allow`) and the response rules
/// (`response_rules:`) of listeners and backends, as YAML writes them:
///
/// ```yaml
/// rules:
///   - deny: 403                       # proxyd's error response for the status
///     when: { path_prefix: [/admin] }
///   - return: { status: 200, content_type: text/plain, body: "ok", headers: [{name: X-A, value: "1"}] }
///     when: { path_prefix: [/ping] }
///   - allow: true                     # later non-redirect rules of this list are skipped
///     when: { tls: true }
/// response_rules:
///   - set_header: { name: Strict-Transport-Security, value: "max-age=63072000" }
///   - remove_header: Server
/// ```
extension YAMLSectionReader {
    private static let responseActionKeys = ["add_header", "set_header", "remove_header"]

    /// `deny: STATUS`, `return: {…}` or `allow: true` of the rule mapping `m`.
    func answeringAction(_ key: String, in m: YAMLMapping) -> RequestRuleAction? {
        switch key {
        case "deny":
            guard let status = m.int("deny", in: ConfiguredResponse.statuses) else { return nil }
            guard HAProxyProxyReader.errorPageStatuses.contains(status) else {
                diagnostics.error("\(m.qualified("deny")) must be a status proxyd has an error response for (\(HAProxyProxyReader.errorPageStatuses.map(String.init).joined(separator: ", "))); write `return:` for a response of your own", at: m.location(of: "deny"))
                return nil
            }
            return .deny(status: status)
        case "allow":
            guard let allow = m.bool("allow") else { return nil }
            guard allow else {
                diagnostics.error("\(m.qualified("allow")) can only be true; drop the rule instead", at: m.location(of: "allow"))
                return nil
            }
            return .allow
        default:
            guard let r = m.mapping("return", allowedKeys: ["status", "content_type", "body", "headers"]) else { return nil }
            var response = ConfiguredResponse()
            response.status = r.int("status", in: ConfiguredResponse.statuses) ?? response.status
            response.contentType = r.string("content_type")
            response.body = r.string("body") ?? ""
            for (index, node) in (r.sequence("headers") ?? []).enumerated() {
                guard let h = YAMLMapping(node, path: "\(r.path).headers[\(index)]", allowedKeys: ["name", "value"], diagnostics: diagnostics) else { continue }
                guard let header = headerField(h) else { continue }
                response.headers.append(ConfiguredResponse.Header(name: header.name, value: header.value))
            }
            if response.body.isEmpty && response.contentType != nil {
                diagnostics.error("\(r.path).content_type needs a `body:`; an empty response is sent without a content type", at: r.location(of: "content_type"))
                return nil
            }
            if let problem = response.problem {
                r.error(problem)
                return nil
            }
            return .respond(response)
        }
    }

    /// A `{name:, value:}` mapping as a checked header name and value template.
    private func headerField(_ h: YAMLMapping) -> (name: String, value: HeaderValueTemplate)? {
        guard let name = h.string("name"), let text = h.string("value") else {
            h.error("a header needs `name:` and `value:`")
            return nil
        }
        guard validHeaderName(name, at: h.location(of: "name")) else { return nil }
        do {
            return (name, try HeaderValueTemplate(parsing: text))
        } catch {
            diagnostics.error("\(h.path).value: \(error)", at: h.location(of: "value"))
            return nil
        }
    }

    /// The `response_rules:` list of a listener or backend mapping.
    func responseRules(of m: YAMLMapping) -> [ResponseRule] {
        var rules: [ResponseRule] = []
        for (index, node) in (m.sequence("response_rules") ?? []).enumerated() {
            if let rule = responseRule(path: "\(m.path).response_rules[\(index)]", node: node) { rules.append(rule) }
        }
        return rules
    }

    private func responseRule(path: String, node: Node) -> ResponseRule? {
        let keys = Self.responseActionKeys
        guard let m = YAMLMapping(node, path: path, allowedKeys: keys + ["when", "unless"], diagnostics: diagnostics) else { return nil }
        let actions = m.keys.filter(keys.contains)
        guard actions.count == 1, let key = actions.first else {
            m.error("a response rule needs exactly one action of: \(keys.joined(separator: ", ")); found \(actions.isEmpty ? "none" : actions.joined(separator: ", "))")
            return nil
        }
        let condition = condition(of: m)
        if let problem = ResponseRule.problem(with: condition) {
            m.error(problem)
            return nil
        }
        let action: ResponseRuleAction
        if key == "remove_header" {
            guard let name = m.string("remove_header"), validHeaderName(name, at: m.location(of: "remove_header")) else { return nil }
            action = .removeHeader(name: name)
        } else {
            guard let h = m.mapping(key, allowedKeys: ["name", "value"]), let header = headerField(h) else { return nil }
            if let problem = ResponseRule.problem(with: header.value) {
                diagnostics.error("\(h.path).value: \(problem)", at: h.location(of: "value"))
                return nil
            }
            action = key == "add_header" ? .addHeader(name: header.name, value: header.value) : .setHeader(name: header.name, value: header.value)
        }
        return ResponseRule(action: action, condition: condition, location: diagnostics.location(of: node))
    }
}
