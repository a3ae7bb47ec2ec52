/// The front-side directives: `bind`, `use_backend`, `http-request` and `redirect`.
extension HAProxyProxyReader {
    /// Bind options accepted without effect, with the reason warned.
    private static let ignoredBindOptions: [String: String] = [
        "npn": "NPN is obsolete; proxyd negotiates ALPN",
        "name": "proxyd names listeners after their frontend",
        "process": "proxyd runs every listener on every event loop",
        "thread": "proxyd runs every listener on every event loop",
        "tfo": "socket tuning is automatic",
        "defer-accept": "socket tuning is automatic",
        "backlog": "socket tuning is automatic",
    ]

    /// Bind options that take a value.
    private static let valuedBindOptions: Set = ["crt", "alpn", "npn", "name", "process", "thread", "maxconn", "backlog"]

    /// Bind options that proxyd already implies.
    private static let impliedBindOptions: Set = ["v4v6", "v6only", "allow-0rtt"]

    private static let refusedBindOptions: [String: String] = [
        "crt-list": "list the certificates with one 'crt' each, or name a directory",
        "ca-file": "client certificates are not supported",
        "verify": "client certificates are not supported",
        "accept-proxy": "the PROXY protocol is not supported",
        "transparent": "transparent proxying is not supported",
        "interface": "bind an address instead",
        "quic": "HTTP/3 is not supported",
        "strict-sni": "proxyd answers a client whose server name matches no certificate with the default certificate and cannot refuse it",
        "maxconn": "write maxconn in the frontend section: proxyd applies a frontend's maxconn to each of its binds",
    ]

    func bind(_ line: HAProxyConfigLine, into proxy: inout HAProxyProxy) throws(HAProxyLineError) {
        guard let addressList = line.arguments.first else { throw HAProxyLineError("bind needs an address, e.g. bind :80 or bind 127.0.0.1:8443 ssl crt site.pem") }
        let addresses = try addressList.split(separator: ",", omittingEmptySubsequences: false).map { text throws(HAProxyLineError) in
            try Self.bindAddress(String(text))
        }
        var ssl = false
        var certificates: [String] = []
        var alpn: [String]?
        var policy = HAProxyTLSPolicy()
        var rest = line.arguments.dropFirst()
        while let option = rest.popFirst() {
            if let reason = Self.refusedBindOptions[option] { throw HAProxyLineError("bind option '\(option)' is not supported: \(reason)") }
            // Ciphers, suites, curves, versions, tickets, cipher order (HAProxyTLSPolicy).
            if try policy.read(option, &rest, prefix: "bind") { continue }
            var value = ""
            if Self.valuedBindOptions.contains(option) {
                guard let next = rest.popFirst() else { throw HAProxyLineError("bind option '\(option)' needs a value") }
                value = next
            }
            if let reason = Self.ignoredBindOptions[option] {
                diagnostics.warning("bind option '\(option)' is ignored: \(reason)", line: line.number)
                continue
            }
            switch option {
            case "ssl": ssl = true
            case "crt":
                if let base = certificateBase, !value.hasPrefix("/") {
                    certificates.append(base.hasSuffix("/") ? base + value : base + "/" + value)
                } else {
                    certificates.append(value)
                }
            case "alpn":
                var protocols = value.split(separator: ",").map(String.init)
                if protocols.contains(where: { $0 == "h2" || $0 == "h3" }) {
                    diagnostics.warning("alpn: proxyd speaks HTTP/1.1 to clients; \(protocols.filter { $0 == "h2" || $0 == "h3" }.joined(separator: " and ")) not offered", line: line.number)
                    protocols.removeAll { $0 == "h2" || $0 == "h3" }
                }
                guard !protocols.isEmpty else { throw HAProxyLineError("alpn '\(value)' offers no protocol proxyd speaks; write alpn http/1.1") }
                alpn = protocols
            default:
                if Self.impliedBindOptions.contains(option) { continue }
                throw HAProxyLineError("unsupported bind option '\(option)'")
            }
        }
        var tls: ListenerTLSConfiguration?
        switch (ssl, certificates.isEmpty) {
        case (true, true): throw HAProxyLineError("bind ... ssl needs 'crt FILE|DIR' (a combined PEM, a certbot live/ directory, or a directory of them)")
        case (false, false): throw HAProxyLineError("bind has 'crt' without 'ssl'; add ssl to terminate TLS on this address")
        case (true, false):
            var config = ListenerTLSConfiguration(certificates: certificates)
            // HAProxy answers clients without a matching SNI name with the first certificate.
            if certificates.count > 1 { config.defaultCertificate = certificates[0] }
            if let alpn { config.alpn = alpn }
            try policy.overriding(tlsDefaults).apply(to: &config)
            tls = config
        case (false, true):
            if alpn != nil { diagnostics.warning("alpn is ignored without ssl", line: line.number) }
        }
        for address in addresses {
            proxy.binds.append(.init(address: address, tls: tls, line: line.number))
        }
    }

    /// A bind address as HAProxy writes it: `:80`, `*:80`, `0.0.0.0:80`, `[::]:443`, `:::443`,
    /// optionally prefixed `ipv4@` / `ipv6@`.
    static func bindAddress(_ text: String) throws(HAProxyLineError) -> BindAddress {
        var text = Substring(text)
        for prefix in ["ipv4@", "ipv6@"] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
        if text.hasPrefix("/") || text.contains("@") {
            throw HAProxyLineError("bind address '\(text)': only IPv4 and IPv6 addresses are supported (no UNIX sockets or file descriptors)")
        }
        if text.hasPrefix("*:") { text = "0.0.0.0" + text.dropFirst() }
        if !text.hasPrefix("["), text.count(where: { $0 == ":" }) > 1, let colon = text.lastIndex(of: ":") {
            text = "[" + text[..<colon] + "]" + text[colon...]
        }
        if let colon = text.lastIndex(of: ":"), text[text.index(after: colon)...].contains("-") {
            throw HAProxyLineError("bind address '\(text)': port ranges are not supported; write one bind per port")
        }
        do {
            return try BindAddress(parsing: String(text))
        } catch {
            throw HAProxyLineError("bind: \(error)")
        }
    }

    /// The words of a rule up to `if`/`unless`, and the condition after it.
    func splitCondition(_ words: ArraySlice<String>, conditions: HAProxyConditionParser) throws(HAProxyLineError) -> (ArraySlice<String>, RuleCondition) {
        guard let index = words.firstIndex(where: { $0 == "if" || $0 == "unless" }) else { return (words, .always) }
        return (words[..<index], try conditions.condition(keyword: words[index], words[(index + 1)...]))
    }

    func useBackend(_ line: HAProxyConfigLine, conditions: HAProxyConditionParser, into proxy: inout HAProxyProxy) throws(HAProxyLineError) {
        let (head, condition) = try splitCondition(line.arguments, conditions: conditions)
        guard head.count == 1, let name = head.first else {
            throw HAProxyLineError(head.isEmpty ? "use_backend needs a backend name" : "use_backend takes one backend name, then 'if' or 'unless'; found '\(head.dropFirst().joined(separator: " "))'")
        }
        if name.contains("%[") { throw HAProxyLineError("use_backend with a dynamic name ('\(name)') is not supported; write one use_backend per backend") }
        proxy.routes.append(Route(backend: name, condition: condition, location: diagnostics.location(line: line.number)))
    }

    private static let refusedRequestActions: [String: String] = [
        "auth": "HTTP basic authentication is not supported",
        "tarpit": "tarpit is not supported; write http-request deny",
        "set-path": "proxyd forwards the path as received",
        "set-uri": "proxyd forwards the URI as received",
        "replace-header": "write set-header with the whole new value",
        "replace-path": "proxyd forwards the path as received",
        "set-var": "variables are not supported",
        "lua": "Lua is not supported",
        "use-service": "services are not supported",
    ]

    func httpRequest(_ line: HAProxyConfigLine, conditions: HAProxyConditionParser) throws(HAProxyLineError) -> RequestRule {
        guard let action = line.arguments.first else { throw HAProxyLineError("http-request needs an action (add-header, set-header, del-header, redirect, deny, return, allow)") }
        let location = diagnostics.location(line: line.number)
        if action == "redirect" {
            let (redirect, condition) = try redirect(line.arguments.dropFirst(), conditions: conditions)
            return RequestRule(action: redirect, condition: condition, location: location)
        }
        let (head, condition) = try splitCondition(line.arguments.dropFirst(), conditions: conditions)
        let arguments = Array(head)
        switch action {
        case "deny", "return", "allow":
            return RequestRule(action: try answeringAction(action, head), condition: condition, location: location)
        case "add-header", "set-header", "del-header":
            let edit: RequestRuleAction = switch try Self.headerEdit(directive: "http-request", action: action, arguments) {
            case .add(let name, let value): .addHeader(name: name, value: value)
            case .set(let name, let value): .setHeader(name: name, value: value)
            case .remove(let name): .removeHeader(name: name)
            }
            return RequestRule(action: edit, condition: condition, location: location)
        default:
            let hint = Self.refusedRequestActions[action].map { ": \($0)" } ?? "; proxyd supports add-header, set-header, del-header, redirect, deny, return and allow"
            throw HAProxyLineError("unsupported http-request action '\(action)'\(hint)")
        }
    }

    /// What `add-header NAME VALUE`, `set-header NAME VALUE` and `del-header NAME [-m str]` say,
    /// after `http-request` or `http-response` alike.
    enum HeaderEditWords {
        case add(name: String, value: HeaderValueTemplate)
        case set(name: String, value: HeaderValueTemplate)
        case remove(name: String)
    }

    /// Reads the words after `DIRECTIVE ACTION` (`add-header`, `set-header` or `del-header`).
    static func headerEdit(directive: String, action: String, _ arguments: [String]) throws(HAProxyLineError) -> HeaderEditWords {
        if action == "del-header" {
            guard let first = arguments.first else { throw HAProxyLineError("\(directive) del-header needs a header name") }
            let extra = arguments.dropFirst()
            guard extra.isEmpty || Array(extra) == ["-m", "str"] else {
                throw HAProxyLineError("\(directive) del-header: only exact names are supported (found '\(extra.joined(separator: " "))')")
            }
            return .remove(name: try headerName(first))
        }
        guard arguments.count == 2 else {
            throw HAProxyLineError(arguments.count < 2
                ? "\(directive) \(action) needs a header name and a value"
                : "\(directive) \(action): unexpected '\(arguments[2])' after the value; quote a value that contains spaces")
        }
        let name = try headerName(arguments[0])
        let value = try headerValue(arguments[1])
        return action == "add-header" ? .add(name: name, value: value) : .set(name: name, value: value)
    }

    static func headerName(_ name: String) throws(HAProxyLineError) -> String {
        guard !name.isEmpty, name.allSatisfy(\.isHTTPTokenCharacter) else {
            throw HAProxyLineError("'\(name)' is not a valid header name (RFC 9110 §5.1: letters, digits and !#$%&'*+-.^_`|~)")
        }
        return name
    }

    /// A header value is a HAProxy log-format string; proxyd reads its `%[fetch]` samples. The
    /// one-letter log variables (`%ci`, `%fp`, …) would stay literal text, so they are refused.
    static func headerValue(_ text: String) throws(HAProxyLineError) -> HeaderValueTemplate {
        var rest = Substring(text)
        while let percent = rest.firstIndex(of: "%") {
            let after = rest[rest.index(after: percent)...]
            guard after.hasPrefix("[") else {
                let variable = "%" + after.prefix(while: { $0.isLetter || $0 == "{" || $0 == "}" || $0 == "+" || $0 == "-" })
                let replacement = ["%ci": " (write %[src])", "%cp": " (write %[src_port])", "%fp": " (write %[dst_port])"][variable] ?? ""
                throw HAProxyLineError("header value '\(text)': log-format variable '\(variable)' is not supported, only %[fetch] samples\(replacement)")
            }
            rest = after
        }
        do {
            return try HeaderValueTemplate(parsing: text)
        } catch {
            throw HAProxyLineError("\(error)")
        }
    }

    /// `redirect scheme|prefix TARGET [code N] [if|unless COND]` (also after `http-request`).
    /// HAProxy's default code is 302.
    func redirect(_ words: ArraySlice<String>, conditions: HAProxyConditionParser) throws(HAProxyLineError) -> (RequestRuleAction, RuleCondition) {
        let (head, condition) = try splitCondition(words, conditions: conditions)
        var rest = head
        guard let kind = rest.popFirst(), let target = rest.popFirst() else {
            throw HAProxyLineError("redirect needs 'scheme https' or 'prefix URL' (then optionally 'code N')")
        }
        var code = 302
        while let option = rest.popFirst() {
            switch option {
            case "code":
                guard let text = rest.popFirst(), let value = Int(text), [301, 302, 303, 307, 308].contains(value) else {
                    throw HAProxyLineError("redirect code must be 301, 302, 303, 307 or 308")
                }
                code = value
            case "drop-query", "append-slash", "set-cookie", "clear-cookie", "ignore-empty", "keep-query":
                throw HAProxyLineError("redirect option '\(option)' is not supported")
            default:
                throw HAProxyLineError("unexpected '\(option)' in redirect; expected 'code N', 'if' or 'unless'")
            }
        }
        switch kind {
        case "scheme":
            guard target == "https" || target == "http" else { throw HAProxyLineError("redirect scheme must be https or http, found '\(target)'") }
            return (.redirectScheme(scheme: target, code: code, port: nil), condition)
        case "prefix":
            if target.contains("%[") { throw HAProxyLineError("redirect prefix with a sample fetch ('\(target)') is not supported") }
            return (.redirectPrefix(prefix: target, code: code), condition)
        case "location":
            throw HAProxyLineError("redirect location is not supported; write redirect prefix URL (the request path is appended)")
        default:
            throw HAProxyLineError("redirect '\(kind)' is unknown; write redirect scheme https or redirect prefix URL")
        }
    }
}
