import Yams

/// Reads `access_log.syslog` of the native YAML: the same capability as haproxy.cfg's `log`
/// lines with `log-tag` and `log-send-hostname`, written back by
/// ``ConfigurationYAMLWriter/syslogNode(_:)`` so that `proxyd convert` round-trips.
///
/// ```yaml
/// access_log:
///   format: httplog
///   log_null_connections: false     # true: log connections closed before a request
///   syslog:
///     tag: proxyd                   # log-tag
///     send_hostname: true           # or a name; absent: no host name in the header
///     targets:
///       - address: /dev/log         # unix path, ADDR:PORT (UDP), udp6@[::1]:514, stdout, stderr
///         facility: local0
///         level: info               # optional: the least severe level sent
///         min_level: notice         # optional
///         format: rfc5424           # optional: local, rfc3164, rfc5424, priority, short, timed, iso, raw
///         max_length: 1024          # optional: 80…65535
/// ```
struct YAMLSyslogReader {
    let diagnostics: ConfigurationDiagnostics

    static let keys = ["tag", "send_hostname", "targets"]
    static let targetKeys = ["address", "facility", "level", "min_level", "format", "max_length"]

    func read(_ m: YAMLMapping) -> SyslogConfiguration {
        var syslog = SyslogConfiguration()
        if let tag = m.string("tag") {
            if tag.isEmpty || tag.contains(where: \.isWhitespace) {
                diagnostics.error("\(m.qualified("tag")) must be one word", at: m.location(of: "tag"))
            } else {
                syslog.tag = tag
            }
        }
        if let text = m.string("send_hostname") {
            switch text {
            case "true": syslog.hostname = .system
            case "false": syslog.hostname = nil
            default: syslog.hostname = .named(text)
            }
        }
        guard let nodes = m.sequence("targets"), !nodes.isEmpty else {
            m.error("targets must list at least one syslog target, e.g. - {address: /dev/log, facility: local0}")
            return syslog
        }
        for (index, node) in nodes.enumerated() {
            if let target = target(node, path: m.qualified("targets") + "[\(index)]") { syslog.targets.append(target) }
        }
        return syslog
    }

    private func target(_ node: Node, path: String) -> SyslogTarget? {
        guard let t = YAMLMapping(node, path: path, allowedKeys: Self.targetKeys, diagnostics: diagnostics) else { return nil }
        guard let addressText = t.string("address"), let facilityText = t.string("facility") else {
            t.error("a syslog target needs address and facility")
            return nil
        }
        let address: SyslogTarget.Address
        do {
            address = try HAProxyLogReader.address(addressText)
        } catch {
            diagnostics.error("\(t.qualified("address")): \(error.message)", at: t.location(of: "address"))
            return nil
        }
        guard let facility = SyslogTarget.Facility(rawValue: facilityText) else {
            diagnostics.error("\(t.qualified("facility")) must be one of: \(SyslogTarget.Facility.allCases.map(\.rawValue).joined(separator: ", "))", at: t.location(of: "facility"))
            return nil
        }
        var target = SyslogTarget(address: address, facility: facility)
        target.level = level(t, "level") ?? target.level
        target.minimumLevel = level(t, "min_level") ?? target.minimumLevel
        if let text = t.string("format") {
            if let format = SyslogTarget.Format(rawValue: text) {
                target.format = format
            } else {
                diagnostics.error("\(t.qualified("format")) must be one of: \(SyslogTarget.Format.allCases.map(\.rawValue).joined(separator: ", "))", at: t.location(of: "format"))
            }
        }
        target.maxLength = t.int("max_length", in: SyslogTarget.lengthRange) ?? target.maxLength
        return target
    }

    private func level(_ t: YAMLMapping, _ key: String) -> SyslogTarget.Level? {
        guard let text = t.string(key) else { return nil }
        guard let level = SyslogTarget.Level(rawValue: text) else {
            diagnostics.error("\(t.qualified(key)) must be one of: \(SyslogTarget.Level.allCases.map(\.rawValue).joined(separator: ", "))", at: t.location(of: key))
            return nil
        }
        return level
    }
}

extension ConfigurationYAMLWriter {
    /// `access_log.syslog`, as ``YAMLSyslogReader`` reads it; defaults are left out.
    static func syslogNode(_ syslog: SyslogConfiguration) -> Node {
        func map(_ entries: [(String, Node)]) -> Node { .mapping(.init(entries.map { (Node($0.0), $0.1) })) }
        var entries: [(String, Node)] = []
        if syslog.tag != SyslogConfiguration().tag { entries.append(("tag", Node(syslog.tag, .implicit, .doubleQuoted))) }
        switch syslog.hostname {
        case nil: break
        case .system: entries.append(("send_hostname", Node("true")))
        case .named(let name): entries.append(("send_hostname", Node(name, .implicit, .doubleQuoted)))
        }
        let targets: [Node] = syslog.targets.map { target in
            var fields: [(String, Node)] = [("address", Node(target.address.description, .implicit, .doubleQuoted)), ("facility", Node(target.facility.rawValue))]
            if target.level != .debug { fields.append(("level", Node(target.level.rawValue))) }
            if target.minimumLevel != .emerg { fields.append(("min_level", Node(target.minimumLevel.rawValue))) }
            if let format = target.format { fields.append(("format", Node(format.rawValue))) }
            if target.maxLength != 1024 { fields.append(("max_length", Node(String(target.maxLength)))) }
            return map(fields)
        }
        entries.append(("targets", .sequence(.init(targets))))
        return map(entries)
    }
}
