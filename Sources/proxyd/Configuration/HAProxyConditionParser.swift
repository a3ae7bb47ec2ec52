/// Reads HAProxy ACLs (`acl NAME CRITERION [FLAGS] [VALUES]`) and the conditions that use them
/// (`if A !B || { ssl_fc }`) into ``RuleCondition``.
///
/// HAProxy's rules (manual §7.2): terms written one after the other must all hold (implicit
/// AND); `||` or `or` separates alternatives, and AND binds tighter than OR; `!` negates the term
/// it is attached to; `{ … }` is an anonymous ACL written in place (spaces around the braces are
/// required). ACLs with the same name are alternatives of one another, and an ACL must be declared
/// before the rule that uses it.
struct HAProxyConditionParser {
    /// The ACLs declared so far in the section, by name.
    private(set) var acls: [String: RuleCondition] = [:]
    /// Every ACL name the section declares anywhere, with its first line: a name found here but
    /// not in ``acls`` is used before its declaration, which HAProxy refuses too.
    var declarationLines: [String: Int] = [:]

    /// The fetches proxyd evaluates, as HAProxy names them.
    static let supportedCriteria = HAProxyACLCriterionParser.supportedCriteria

    /// Reads an `acl` line's arguments (`NAME CRITERION …`) and records the ACL.
    mutating func declare(_ arguments: ArraySlice<String>) throws(HAProxyLineError) {
        guard let name = arguments.first else { throw HAProxyLineError("'acl' needs a name and a criterion, e.g. acl is_acme path_beg /.well-known/acme-challenge/") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:".contains($0) }) else {
            throw HAProxyLineError("ACL name '\(name)' may contain only letters, digits, '-', '_', '.' and ':'")
        }
        let criterionWords = arguments.dropFirst()
        guard !criterionWords.isEmpty else { throw HAProxyLineError("acl '\(name)' needs a criterion (\(Self.supportedCriteria))") }
        let condition = try Self.criterion(criterionWords)
        if let existing = acls[name] {
            acls[name] = Self.alternative(existing, condition)
        } else {
            acls[name] = condition
        }
    }

    /// Two declarations of one ACL name: either matches. Lists of the same fetch merge into one.
    private static func alternative(_ a: RuleCondition, _ b: RuleCondition) -> RuleCondition {
        switch (a, b) {
        case (.pathPrefix(let x), .pathPrefix(let y)): return .pathPrefix(x + y)
        case (.host(let x), .host(let y)): return .host(x + y)
        case (.any(let x), _): return .any(x + [b])
        default: return .any([a, b])
        }
    }

    /// One criterion with its flags and values: `path_beg /a /b`, `hdr(host) -i example.com`,
    /// `src -f office.lst` (see ``HAProxyACLCriterionParser``).
    static func criterion(_ words: ArraySlice<String>) throws(HAProxyLineError) -> RuleCondition {
        try HAProxyACLCriterionParser.criterion(words)
    }

    /// HAProxy's predefined ACLs (manual §7.4) that proxyd can evaluate; an ACL the section
    /// declares with the same name takes precedence, as in HAProxy. A function rather than a
    /// static table: a process-long dictionary of indirect enums keeps its boxes behind
    /// tagged pointers, which LeakSanitizer (the fuzzers') reports as leaked.
    static func predefined(_ name: String) -> RuleCondition? {
        switch name {
        case "TRUE", "HTTP": .always
        case "FALSE": .not(.always)
        case "LOCALHOST": .source([.v4(address: 0x7F00_0000, mask: 0xFF00_0000), .v6(address: 1, prefixLength: 128)])
        case "METH_CONNECT": .method(ACLMethodMatch(patterns: ["CONNECT"]))
        case "METH_DELETE": .method(ACLMethodMatch(patterns: ["DELETE"]))
        case "METH_GET": .method(ACLMethodMatch(patterns: ["GET", "HEAD"]))
        case "METH_HEAD": .method(ACLMethodMatch(patterns: ["HEAD"]))
        case "METH_OPTIONS": .method(ACLMethodMatch(patterns: ["OPTIONS"]))
        case "METH_POST": .method(ACLMethodMatch(patterns: ["POST"]))
        case "METH_PUT": .method(ACLMethodMatch(patterns: ["PUT"]))
        case "METH_TRACE": .method(ACLMethodMatch(patterns: ["TRACE"]))
        default: nil
        }
    }

    /// Reads the words after `if` or `unless` (given as `keyword`).
    func condition(keyword: String, _ words: ArraySlice<String>) throws(HAProxyLineError) -> RuleCondition {
        guard !words.isEmpty else { throw HAProxyLineError("'\(keyword)' needs a condition, e.g. \(keyword) !{ ssl_fc }") }
        var alternatives: [RuleCondition] = []
        var terms: [RuleCondition] = []
        var negate = false
        var rest = words
        while var word = rest.popFirst() {
            if word == "||" || word == "or" {
                guard !terms.isEmpty, !negate else { throw HAProxyLineError("'\(word)' needs a condition on each side") }
                alternatives.append(.allOf(terms))
                terms = []
                continue
            }
            while word.hasPrefix("!") {
                negate.toggle()
                word.removeFirst()
            }
            if word.isEmpty { continue }
            let term: RuleCondition
            if word == "{" {
                guard let close = rest.firstIndex(of: "}") else {
                    throw HAProxyLineError("'{' without a matching '}'; write anonymous ACLs as { criterion values } with spaces around the braces")
                }
                term = try Self.criterion(rest[rest.startIndex..<close])
                rest = rest[(close + 1)...]
            } else if word.hasPrefix("{") || word.hasSuffix("}") {
                throw HAProxyLineError("'\(word)': write anonymous ACLs with spaces around the braces, e.g. { ssl_fc }")
            } else if let acl = acls[word] {
                term = acl
            } else if let predefined = Self.predefined(word) {
                term = predefined
            } else if let line = declarationLines[word] {
                throw HAProxyLineError("ACL '\(word)' is used before it is declared (line \(line)); declare ACLs before the rules that use them")
            } else {
                throw HAProxyLineError("unknown ACL '\(word)'\(ConfigurationValidator.hint(word, in: Set(acls.keys)))")
            }
            terms.append(negate ? .not(term) : term)
            negate = false
        }
        guard !terms.isEmpty, !negate else { throw HAProxyLineError("the condition ends without a term after '\(words.last ?? "")'") }
        alternatives.append(.allOf(terms))
        let condition: RuleCondition = alternatives.count == 1 ? alternatives[0] : .any(alternatives)
        return keyword == "unless" ? .not(condition) : condition
    }
}
