/// One section of a haproxy.cfg (`global`, `defaults`, `frontend NAME`, …) with its lines.
struct HAProxySection: Sendable, Hashable {
    /// The section keywords proxyd reads.
    enum Kind: String, Sendable, Hashable, CaseIterable {
        case global, defaults, frontend, backend, listen, resolvers
        /// A named set of `errorfile` lines that proxies import with `errorfiles`.
        case httpErrors = "http-errors"

        /// Whether the section takes frontend directives (`bind`, `acl`, `use_backend`, …).
        var hasFrontend: Bool { self == .frontend || self == .listen || self == .defaults }
        /// Whether the section takes backend directives (`server`, `balance`, …).
        var hasBackend: Bool { self == .backend || self == .listen || self == .defaults }
    }

    /// Section keywords HAProxy knows that proxyd does not translate, with what to do instead.
    static let unsupportedKinds: [String: String] = [
        "peers": "stick tables are not supported",
        "userlist": "HTTP basic authentication is not supported",
        "mailers": "proxyd logs endpoint state changes instead of sending mail",
        "program": "run other programs under systemd",
        "cache": "proxyd does not cache responses",
        "ring": "proxyd logs to standard output (journald)",
        "log-forward": "proxyd logs to standard output (journald)",
        "crt-store": "name certificate files in `bind ... crt`",
        "fcgi-app": "FastCGI is not supported",
        "traces": "tracing is not supported",
    ]

    var kind: Kind
    /// The section's name; empty for `global` and an unnamed `defaults`.
    var name: String
    /// The line of the section keyword.
    var line: Int
    var directives: [HAProxyConfigLine] = []

    /// How messages name the section: `global`, `defaults`, `frontend 'http-in'`.
    var label: String { name.isEmpty ? kind.rawValue : "\(kind.rawValue) '\(name)'" }

    /// Whether a line opens a section (HAProxy's own test: the first word is a section keyword).
    static func isSectionKeyword(_ word: String) -> Bool {
        Kind(rawValue: word) != nil || unsupportedKinds[word] != nil
    }

    /// Groups lines into sections. Lines before the first section, unsupported sections (whose
    /// lines are skipped) and malformed section lines are reported.
    static func sections(of lines: [HAProxyConfigLine], diagnostics: ConfigurationDiagnostics) -> [HAProxySection] {
        var sections: [HAProxySection] = []
        var skipping = false
        for line in lines {
            let keyword = line.keyword
            if let kind = Kind(rawValue: keyword) {
                skipping = false
                let arguments = Array(line.arguments)
                switch kind {
                case .global:
                    if !arguments.isEmpty { diagnostics.error("'global' takes no name", line: line.number) }
                    sections.append(HAProxySection(kind: kind, name: "", line: line.number))
                case .defaults:
                    if arguments.count > 1 {
                        diagnostics.error("named defaults sections that inherit ('from') are not supported; write one defaults section per group of proxies", line: line.number)
                    }
                    sections.append(HAProxySection(kind: kind, name: arguments.first ?? "", line: line.number))
                default:
                    guard let name = arguments.first, !name.isEmpty else {
                        diagnostics.error("'\(keyword)' needs a name", line: line.number)
                        skipping = true
                        continue
                    }
                    if arguments.count > 1 {
                        let hint = kind == .listen || kind == .frontend ? "; write the address on a `bind` line" : ""
                        diagnostics.error("unexpected '\(arguments[1])' after \(keyword) '\(name)'\(hint)", line: line.number)
                    }
                    sections.append(HAProxySection(kind: kind, name: name, line: line.number))
                }
            } else if let reason = unsupportedKinds[keyword] {
                diagnostics.error("unsupported section '\(keyword)'; \(reason)", line: line.number)
                skipping = true
            } else if skipping {
                continue
            } else if sections.isEmpty {
                diagnostics.error("directive '\(keyword)' outside any section; start with global, defaults, frontend, backend, listen or resolvers", line: line.number)
            } else {
                sections[sections.count - 1].directives.append(line)
            }
        }
        return sections
    }
}
