/// Reads a `resolvers NAME` section into a ``ResolverSection``.
///
/// HAProxy's resolver settings and what they become (manual §5.3.2):
/// - `nameserver ID ADDR[:PORT]` → `nameservers`; `parse-resolv-conf` → `resolv_conf:
///   /etc/resolv.conf` (one or the other: proxyd does not merge them);
/// - `resolve_retries N` → `attempts`; `timeout retry` (how long a query waits for its
///   answer before it is sent again) → `timeout`; `accepted_payload_size` → `payload_size`;
/// - `hold timeout|refused|other` (how long the last good answer outlives a failed
///   resolution) → `hold_on_failure`, the longest one when they differ, since proxyd has one;
/// - `hold nx` (the same after NXDOMAIN) → `hold_on_nxdomain`;
/// - `hold obsolete` (how long an SRV target missing from a newer answer is kept) →
///   `removal_grace`;
/// - `hold valid` (HAProxy ≤ 2.0: how long a valid answer is reused before resolving again) and
///   `timeout resolve` (how often HAProxy resolves) → `max_ttl`, the longest proxyd waits before
///   asking again (it honours shorter record TTLs); the longer of the two when both are given,
///   since HAProxy resolves no sooner than either allows.
/// Settings the file does not give keep proxyd's defaults, not HAProxy's.
struct HAProxyResolversReader {
    let diagnostics: ConfigurationDiagnostics

    func read(_ section: HAProxySection) -> ResolverSection? {
        var explicit: [BindAddress] = []
        var resolvConfLine: Int?
        var failureHolds: [(status: String, value: Duration, line: Int)] = []
        var refreshLimits: [Duration] = []
        var resolver = ResolverSection(name: section.name, nameservers: .explicit([]), location: diagnostics.location(line: section.line))
        var hadErrors = false
        for line in section.directives {
            let arguments = Array(line.arguments)
            do throws(HAProxyLineError) {
                switch line.keyword {
                case "nameserver":
                    guard arguments.count == 2 else { throw HAProxyLineError("nameserver needs an ID and an address, e.g. nameserver vpc 169.254.169.253:53") }
                    var text = Substring(arguments[1])
                    if text.hasPrefix("udp@") { text = text.dropFirst(4) }
                    if text.contains("@") { throw HAProxyLineError("nameserver '\(arguments[1])': proxyd queries over UDP (falling back to TCP on truncation); write ADDRESS:PORT") }
                    do {
                        explicit.append(try BindAddress(parsingNameserver: String(text)))
                    } catch {
                        throw HAProxyLineError("nameserver \(arguments[0]): \(error)")
                    }
                case "parse-resolv-conf":
                    guard arguments.isEmpty else { throw HAProxyLineError("parse-resolv-conf takes no value") }
                    resolvConfLine = line.number
                case "resolve_retries":
                    resolver.attempts = try HAProxyServerOptions.integer(try single(arguments, line), option: "resolve_retries", in: 1...10)
                case "accepted_payload_size":
                    resolver.payloadSize = try HAProxyServerOptions.integer(try single(arguments, line), option: "accepted_payload_size", in: 512...65_535)
                case "timeout":
                    guard arguments.count == 2 else { throw HAProxyLineError("timeout needs 'resolve' or 'retry' and a value") }
                    let value = try HAProxyServerOptions.duration(arguments[1], option: "timeout \(arguments[0])")
                    switch arguments[0] {
                    case "retry": resolver.timeout = value
                    case "resolve": refreshLimits.append(value)
                    default: throw HAProxyLineError("unknown resolvers timeout '\(arguments[0])'; HAProxy has resolve and retry")
                    }
                case "hold":
                    guard arguments.count == 2 else { throw HAProxyLineError("hold needs a status (nx, other, refused, timeout, valid, obsolete) and a period") }
                    let value = try HAProxyServerOptions.duration(arguments[1], option: "hold \(arguments[0])")
                    switch arguments[0] {
                    case "nx": resolver.holdOnNXDomain = value
                    case "timeout", "refused", "other": failureHolds.append((arguments[0], value, line.number))
                    case "obsolete": resolver.removalGrace = value
                    case "valid": refreshLimits.append(value)
                    default: throw HAProxyLineError("unknown hold status '\(arguments[0])'; HAProxy has nx, other, refused, timeout, valid and obsolete")
                    }
                default:
                    throw HAProxyLineError("unsupported directive '\(line.keyword)' in section \(section.label)")
                }
            } catch {
                hadErrors = true
                diagnostics.error(error.message, line: line.number)
            }
        }
        if let longest = failureHolds.max(by: { $0.value < $1.value }) {
            resolver.holdOnFailure = longest.value
            for hold in failureHolds where hold.value != longest.value {
                diagnostics.warning("hold \(hold.status) \(ConfigDuration.format(hold.value)) differs from hold \(longest.status) \(ConfigDuration.format(longest.value)): proxyd keeps the last good answer through any resolver failure for one period, the longest", line: hold.line)
            }
        }
        if let refresh = refreshLimits.max() {
            resolver.maximumTTL = refresh
            resolver.minimumTTL = min(resolver.minimumTTL, refresh)
        }
        switch (explicit.isEmpty, resolvConfLine) {
        case (true, nil):
            if !hadErrors { diagnostics.error("resolvers section '\(section.name)' needs 'nameserver ID ADDRESS:PORT' lines or 'parse-resolv-conf'", line: section.line) }
            return nil
        case (false, let line?):
            diagnostics.error("resolvers section '\(section.name)' has both nameserver lines and parse-resolv-conf; proxyd uses one or the other", line: line)
            return nil
        case (true, .some):
            resolver.nameservers = .resolvConf(path: "/etc/resolv.conf")
        case (false, nil):
            resolver.nameservers = .explicit(explicit)
        }
        return resolver
    }

    private func single(_ arguments: [String], _ line: HAProxyConfigLine) throws(HAProxyLineError) -> String {
        guard arguments.count == 1 else {
            throw HAProxyLineError(arguments.isEmpty ? "\(line.keyword) needs a value" : "\(line.keyword) takes one value, found \(arguments.count)")
        }
        return arguments[0]
    }
}
