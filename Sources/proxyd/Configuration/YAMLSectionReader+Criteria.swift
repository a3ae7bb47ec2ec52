import Yams

/// The YAML form of the ACL criteria beyond `tls`, `path_prefix` and `host`, each key the
/// counterpart of an HAProxy fetch, compiled by the same types as haproxy.cfg's:
///
/// ```yaml
/// when:
///   src: [10.0.0.0/8, "2001:db8::/32"]           # src
///   method: [GET, HEAD]                          # method (or {names: [...], ignore_case: true})
///   path: {suffix: [.php, .html], ignore_case: true}   # path_end -i
///   url: {prefix: ["/api"]}                      # url_beg
///   query: {exists: true}                        # query -m found
///   header: {name: User-Agent, regex: ["^curl/"]}      # hdr_reg(user-agent)
///   url_param: {name: id, equals: ["42"]}        # urlp(id) 42 (delimiter: ";" for urlp(id,;))
///   sni: {suffix: [.example.com]}                # ssl_fc_sni_end
/// ```
///
/// A match mapping has exactly one test: `equals`, `prefix`, `suffix`, `contains`, `dir`,
/// `domain`, `regex`, `length` (`5`, `3:8`, `:10`, `100:`) or `exists: true`, and optionally
/// `ignore_case`.
extension YAMLSectionReader {
    /// The condition keys of this file's criteria.
    static let criterionKeys = ["src", "method", "path", "url", "query", "header", "url_param", "sni"]

    /// The test names of a match mapping, with HAProxy's matching method each stands for.
    static let matchTests: [(key: String, method: String)] = [
        ("equals", "str"), ("prefix", "beg"), ("suffix", "end"), ("contains", "sub"), ("dir", "dir"),
        ("domain", "dom"), ("regex", "reg"), ("length", "len"), ("exists", "found"),
    ]

    /// Reads one criterion key of a condition mapping; nil after reporting an error.
    func criterion(_ key: String, in m: YAMLMapping) -> RuleCondition? {
        let location = m.location(of: key)
        do throws(HAProxyLineError) {
            switch key {
            case "src":
                guard let texts = m.strings(key) else { return nil }
                guard !texts.isEmpty else { throw HAProxyLineError("needs at least one address or network") }
                var networks: [IPNetwork] = []
                for text in texts { networks.append(try IPNetwork(parsing: text)) }
                return .source(networks)
            case "method":
                if case .mapping? = m[key] {
                    guard let inner = m.mapping(key, allowedKeys: ["names", "ignore_case"]), let names = inner.strings("names") else {
                        m.error("`method:` needs `names:`")
                        return nil
                    }
                    return try method(names, ignoreCase: inner.bool("ignore_case") ?? false)
                }
                guard let names = m.strings(key) else { return nil }
                return try method(names, ignoreCase: false)
            default:
                let extra: [String] = switch key {
                case "header": ["name"]
                case "url_param": ["name", "delimiter"]
                default: []
                }
                guard let inner = m.mapping(key, allowedKeys: extra + Self.matchTests.map(\.key) + ["ignore_case"]) else { return nil }
                let sample: ACLSample
                switch key {
                case "path": sample = .path
                case "url": sample = .url
                case "query": sample = .query
                case "sni": sample = .serverName
                case "header":
                    guard let name = inner.string("name"), !name.isEmpty, name.allSatisfy(\.isHTTPTokenCharacter) else {
                        throw HAProxyLineError("`header:` needs `name:`, a valid header name")
                    }
                    sample = .header(ACLBytes.lowercased(name))
                default: // url_param
                    guard let name = inner.string("name"), !name.isEmpty else { throw HAProxyLineError("`url_param:` needs `name:`") }
                    var delimiter = UInt8(ascii: "?")
                    if let text = inner.string("delimiter") {
                        guard text.utf8.count == 1, let byte = text.utf8.first else { throw HAProxyLineError("`delimiter:` must be one character") }
                        delimiter = byte
                    }
                    sample = .urlParameter(name: name, delimiter: delimiter)
                }
                return try match(sample, inner)
            }
        } catch {
            diagnostics.error("\(m.qualified(key)): \(error.message)", at: location)
            return nil
        }
    }

    private func method(_ names: [String], ignoreCase: Bool) throws(HAProxyLineError) -> RuleCondition {
        guard !names.isEmpty else { throw HAProxyLineError("needs at least one method name") }
        if let bad = names.first(where: { $0.isEmpty || !$0.allSatisfy(\.isHTTPTokenCharacter) }) {
            throw HAProxyLineError("'\(bad)' is not a method name (RFC 9110 §9.1: a token)")
        }
        return .method(ACLMethodMatch(patterns: names, ignoreCase: ignoreCase))
    }

    private func match(_ sample: ACLSample, _ inner: YAMLMapping) throws(HAProxyLineError) -> RuleCondition? {
        let tests = Self.matchTests.filter { inner[$0.key] != nil }
        guard tests.count == 1, let test = tests.first else {
            throw HAProxyLineError("needs exactly one of: \(Self.matchTests.map(\.key).joined(separator: ", "))")
        }
        let ignoreCase = inner.bool("ignore_case") ?? false
        if test.key == "exists" {
            guard inner.bool("exists") == true else { throw HAProxyLineError("`exists:` must be true (write `not:` around it for absence)") }
            return .sample(ACLStringMatch(sample: sample, test: .found, ignoreCase: ignoreCase))
        }
        guard let patterns = inner.strings(test.key) else { return nil }
        guard !patterns.isEmpty else { throw HAProxyLineError("`\(test.key):` needs at least one value") }
        let lowered = ignoreCase ? patterns.map(ACLBytes.lowercased) : patterns
        let compiled: ACLStringTest
        switch test.method {
        case "str": compiled = .exact(lowered)
        case "beg":
            if sample == .path && !ignoreCase { return .pathPrefix(patterns) }
            compiled = .prefix(lowered)
        case "end": compiled = .suffix(lowered)
        case "sub": compiled = .substring(lowered)
        case "dir": compiled = .directory(lowered)
        case "dom": compiled = .domain(lowered)
        case "reg":
            var regexes: [ACLRegex] = []
            for pattern in patterns { regexes.append(try ACLRegex(pattern, ignoreCase: ignoreCase)) }
            compiled = .regex(regexes)
        default: // len
            var ranges: [ClosedRange<Int>] = []
            for pattern in patterns { ranges.append(try HAProxyACLCriterionParser.lengthRange(pattern)) }
            compiled = .length(ranges)
        }
        return .sample(ACLStringMatch(sample: sample, test: compiled, ignoreCase: ignoreCase))
    }
}
