/// `show info`: `Name: value` lines with HAProxy 2.6's field names, in its order, for the
/// fields proxyd has a value for (exporters and scripts look fields up by name; a field
/// proxyd cannot fill is left out rather than reported as a false zero).
enum HAProxyShowInfo {
    static func render(_ snapshot: RuntimeAPISnapshot) -> String {
        let process = snapshot.process
        let uptime = max(0, Int(process.now - process.startedAt))
        let counters = snapshot.counters
        var requests = 0
        for row in counters.requests { requests += row.reduce(0, +) }
        let bytesOut = counters.responseBytes.reduce(0, +)
        let maxConnections = snapshot.configuration.limits.maxConnections
        var failedResolutions = 0
        for dns in snapshot.resolvers.values { failedResolutions += dns.failedRefreshes }
        var lines: [(String, String)] = [
            ("Name", process.name),
            ("Version", process.version),
            ("Nbthread", String(process.threads)),
            ("Nbproc", "1"),
            ("Process_num", "1"),
            ("Pid", String(process.pid)),
            ("Uptime", uptimeText(uptime)),
            ("Uptime_sec", String(uptime)),
        ]
        if let limit = process.openFileLimit {
            lines.append(("Ulimit-n", String(limit)))
        }
        lines += [
            ("Maxconn", String(maxConnections)),
            ("Hard_maxconn", String(maxConnections)),
            ("CurrConns", String(counters.openConnections)),
            ("CumConns", String(counters.connectionsAccepted)),
            ("CumReq", String(requests)),
            ("node", process.node),
            ("Stopping", process.stopping ? "1" : "0"),
            ("Listeners", String(snapshot.configuration.listeners.count)),
            ("FailedResolutions", String(failedResolutions)),
            ("TotalBytesOut", String(bytesOut)),
            ("Start_time_sec", String(Int(process.startedAt))),
        ]
        return lines.map { "\($0.0): \($0.1)\n" }.joined()
    }

    /// `0d 0h00m03s`, as HAProxy writes uptime.
    static func uptimeText(_ seconds: Int) -> String {
        let days = seconds / 86_400
        let hours = seconds % 86_400 / 3_600
        let minutes = seconds % 3_600 / 60
        let rest = seconds % 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(days)d \(hours)h\(two(minutes))m\(two(rest))s"
    }
}
