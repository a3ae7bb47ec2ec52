/// What an applied reload changed, for the log line, the admin API's answer and tests.
struct ReloadSummary: Sendable, Equatable, CustomStringConvertible {
    var diff: ConfigurationDiff
    /// The new file's warnings, and settings that need a restart to take effect.
    var warnings: [String] = []

    var description: String {
        let d = diff
        var text = "listeners: \(d.keptListeners.count) kept (\(d.unchangedListeners.count) unchanged), "
            + "\(d.addedListeners.count) added, \(d.removedListeners.count) removed; "
            + "backends: \(d.keptBackends.count) kept, \(d.replacedBackends.count) replaced, "
            + "\(d.addedBackends.count) added, \(d.removedBackends.count) removed"
        if !d.needsRestart.isEmpty {
            text += "; needs a restart to change: \(d.needsRestart.joined(separator: ", "))"
        }
        return text
    }
}

/// How many reloads were applied and refused since start, and the last refusal, for the
/// admin API and metrics.
struct ReloadStatistics: Sendable, Equatable {
    var applied = 0
    var refused = 0
    var lastError: String?
}
