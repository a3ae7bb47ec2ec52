import Foundation

/// `show resolvers [SECTION]`: HAProxy's per-section report. HAProxy counts per nameserver;
/// proxyd's resolver counts per section, so each section prints one `nameserver` block named
/// after its nameservers together, with the counters proxyd has (`sent` queries, `valid`
/// answers, `timeout`, `truncated`, `invalid` dropped answers, `any_err` failed refreshes)
/// under HAProxy's names.
enum HAProxyShowResolvers {
    /// The answer, or nil when `section` names no resolvers section.
    static func render(_ snapshot: RuntimeAPISnapshot, section: String?) -> String? {
        let sections = snapshot.configuration.resolvers.filter { section == nil || $0.name == section }
        if section != nil && sections.isEmpty { return nil }
        var text = ""
        for resolver in sections {
            text += "Resolvers section \(resolver.name)\n"
            let names: String = switch resolver.nameservers {
            case .explicit(let addresses): addresses.map(\.description).joined(separator: ",")
            case .resolvConf(let path): path
            }
            let dns = snapshot.resolvers[resolver.name]
            let counters: [(String, Int)] = [
                ("sent", dns?.queries ?? 0), ("valid", dns?.successfulRefreshes ?? 0), ("any_err", dns?.failedRefreshes ?? 0),
                ("timeout", dns?.timeouts ?? 0), ("invalid", dns?.droppedAnswers ?? 0), ("truncated", dns?.truncations ?? 0),
            ]
            text += " nameserver \(names):\n"
            for (name, value) in counters {
                text += "  " + (name + ":").padding(toLength: 13, withPad: " ", startingAt: 0) + String(value) + "\n"
            }
        }
        return text
    }
}
