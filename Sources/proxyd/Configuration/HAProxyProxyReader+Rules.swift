/// The rules that answer a request from the configuration (`http-request deny`, `return`,
/// `allow`) and the response rules (`http-response set-header|add-header|del-header`), as
/// HAProxy 2.6's manual writes them.
extension HAProxyProxyReader {
    /// The statuses HAProxy has an error page for: the only ones `deny_status` and
    /// `default-errorfiles` accept.
    static let errorPageStatuses = [200, 400, 403, 404, 405, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]

    /// Payload sources of HAProxy's http reply that proxyd does not read, with the reason.
    private static let refusedReplyOptions: [String: String] = [
        "errorfile": "an error page from a file is not supported; write content-type TYPE string TEXT",
        "errorfiles": "http-errors sections are not supported here; write content-type TYPE string TEXT",
        "file": "a body from a file is not supported; write content-type TYPE string TEXT",
        "lf-file": "a log-format body is not supported; write content-type TYPE string TEXT",
        "lf-string": "a log-format body is not supported; write string TEXT (without %[fetch] samples)",
    ]

    /// `deny [{status|deny_status} N] [content-type T] [string S] [hdr N V]* [default-errorfiles]`,
    /// `return [status N] [content-type T] [string S] [hdr N V]* [default-errorfiles]`, `allow`;
    /// `words` are the ones between the action and `if`/`unless`.
    func answeringAction(_ action: String, _ words: ArraySlice<String>) throws(HAProxyLineError) -> RequestRuleAction {
        if action == "allow" {
            guard words.isEmpty else { throw HAProxyLineError("http-request allow takes no argument; expected 'if' or 'unless', found '\(words.first ?? "")'") }
            return .allow
        }
        var status: Int?
        var response = ConfiguredResponse()
        var body: String?
        var errorPage = false
        var onlyDenyStatus = true
        var rest = words
        func value(of option: String) throws(HAProxyLineError) -> String {
            guard let next = rest.popFirst() else { throw HAProxyLineError("http-request \(action): '\(option)' needs a value") }
            return next
        }
        while let option = rest.popFirst() {
            switch option {
            case "status", "deny_status":
                if option == "deny_status" && action != "deny" {
                    throw HAProxyLineError("http-request \(action): unexpected 'deny_status'; write status N")
                }
                let text = try value(of: option)
                guard let code = Int(text), ConfiguredResponse.statuses.contains(code) else {
                    throw HAProxyLineError("http-request \(action): status must be a number from 200 to 599, found '\(text)'")
                }
                status = code
                if option == "status" { onlyDenyStatus = false }
            case "content-type":
                response.contentType = try value(of: option)
                onlyDenyStatus = false
            case "string":
                guard body == nil else { throw HAProxyLineError("http-request \(action): the body is given twice") }
                body = try value(of: option)
            case "hdr":
                let name = try Self.headerName(try value(of: option))
                guard let text = rest.popFirst() else { throw HAProxyLineError("http-request \(action): 'hdr \(name)' needs a value") }
                response.headers.append(.init(name: name, value: try Self.headerValue(text)))
            case "default-errorfiles":
                errorPage = true
            default:
                if let reason = Self.refusedReplyOptions[option] {
                    throw HAProxyLineError("http-request \(action): '\(option)' is not supported: \(reason)")
                }
                throw HAProxyLineError("http-request \(action): unexpected '\(option)'; expected status, content-type, string, hdr, default-errorfiles, 'if' or 'unless'")
            }
        }
        // HAProxy: `deny` alone or with only `deny_status` (or any reply with default-errorfiles)
        // is the proxy's error page for its status; proxyd answers it through its own error
        // path, where errorfiles apply. With `status`, an empty reply of that status.
        let plainDeny = action == "deny" && onlyDenyStatus && body == nil && response.headers.isEmpty
        if errorPage || plainDeny {
            if body != nil || !response.headers.isEmpty {
                throw HAProxyLineError("http-request \(action): default-errorfiles answers with the error page; it takes no string or hdr")
            }
            let code = status ?? (action == "deny" ? 403 : 200)
            guard Self.errorPageStatuses.contains(code) else {
                let list = Self.errorPageStatuses.map(String.init)
                throw HAProxyLineError("http-request \(action): status \(code) has no error page (there are pages for \(list.dropLast().joined(separator: ", ")) and \(list.last ?? "")); write content-type TYPE string TEXT for a response of your own")
            }
            return .deny(status: code)
        }
        response.status = status ?? (action == "deny" ? 403 : 200)
        response.body = body ?? ""
        // HAProxy ignores the content type of an empty response.
        if response.body.isEmpty { response.contentType = nil }
        if let problem = response.problem { throw HAProxyLineError("http-request \(action): \(problem)") }
        return .respond(response)
    }

    /// An `http-request redirect` after an `http-request allow` of the same section: HAProxy
    /// skips it when the allow applied, where proxyd's allow skips only non-redirect rules (so
    /// that the section's `redirect` directives, which HAProxy runs after every http-request
    /// rule, still apply).
    func checkRedirect(_ rule: RequestRule, afterAllowAt allowLine: Int?) throws(HAProxyLineError) {
        guard let allowLine, rule.action.isRedirect else { return }
        throw HAProxyLineError("this http-request redirect follows the http-request allow at line \(allowLine), which HAProxy lets skip it; proxyd's allow skips only the rules that are not redirects: move the redirect before the allow, or write it as a 'redirect' directive")
    }

    /// Response-side fetches: what an http-response condition would read from the response.
    private static func isResponseFetch(_ word: String) -> Bool {
        let fetch = word.drop { $0 == "!" || $0 == "{" }.lowercased()
        return fetch == "status" || fetch.hasPrefix("res.") || fetch.hasPrefix("shdr") || fetch.hasPrefix("resp.") || fetch.hasPrefix("capture.res.")
    }

    /// `http-response set-header|add-header NAME VALUE` / `del-header NAME [-m str]`, with an
    /// optional condition on the request's connection.
    func httpResponse(_ line: HAProxyConfigLine, conditions: HAProxyConditionParser) throws(HAProxyLineError) -> ResponseRule {
        guard let action = line.arguments.first else { throw HAProxyLineError("http-response needs an action (set-header, add-header, del-header)") }
        let words = line.arguments.dropFirst()
        if let keyword = words.firstIndex(where: { $0 == "if" || $0 == "unless" }),
           let fetch = words[(keyword + 1)...].first(where: Self.isResponseFetch) {
            throw HAProxyLineError("http-response: '\(fetch)' reads the response, which proxyd's conditions do not; response rules take conditions on the request's connection (ssl_fc)")
        }
        let (head, condition) = try splitCondition(words, conditions: conditions)
        if let problem = ResponseRule.problem(with: condition) { throw HAProxyLineError("http-response: \(problem)") }
        let arguments = Array(head)
        let location = diagnostics.location(line: line.number)
        switch action {
        case "add-header", "set-header", "del-header":
            let edit: ResponseRuleAction
            switch try Self.headerEdit(directive: "http-response", action: action, arguments) {
            case .add(let name, let value), .set(let name, let value):
                if let problem = ResponseRule.problem(with: value) { throw HAProxyLineError("http-response \(action): \(problem)") }
                edit = action == "add-header" ? .addHeader(name: name, value: value) : .setHeader(name: name, value: value)
            case .remove(let name):
                edit = .removeHeader(name: name)
            }
            return ResponseRule(action: edit, condition: condition, location: location)
        default:
            throw HAProxyLineError("unsupported http-response action '\(action)'; proxyd supports set-header, add-header and del-header")
        }
    }
}
