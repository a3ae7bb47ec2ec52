import Foundation

/// The HTML stats page, rendered on the server: per backend a totals row and one row per
/// endpoint with HAProxy's counters (sessions current/max/total, bytes in/out, errors,
/// retries, redispatches, check result and duration, last state change, downtime), a small
/// SVG chart of each endpoint's requests/s and p50/p99 latency over the last minutes, and a
/// timeline of the endpoints DNS added and removed; then the certificates.
///
/// Without an admin token it is a plain page that refreshes itself (`<meta refresh>`), usable
/// from a terminal browser. With a token (`actions`), every endpoint gets drain/ready
/// buttons and the page loads `/stats.js`, which keeps the token the operator pastes in the
/// tab's `sessionStorage` and refreshes the page with it — the token is never in the HTML.
/// No inline script or style: see ``StatsPageAssets``.
enum StatsPage {
    static func render(_ status: ProxyStatus, refreshSeconds: Int = 5, actions: Bool = false) -> String {
        var html = head(refreshSeconds: refreshSeconds, actions: actions)
        html += "<main>\n"
        html += "<p class=\"muted\">generated \(escape(iso8601(status.generatedAt))) &middot; refreshes every \(refreshSeconds) s &middot; charts: last \(Int(status.historyIntervalSeconds * Double(RequestHistoryRing.defaultSlotCount) / 60)) min in \(Int(status.historyIntervalSeconds)) s intervals &middot; <a href=\"/metrics\">/metrics</a> &middot; <a href=\"/api/backends\">/api/backends</a></p>\n"
        html += "<p class=\"legend\"><span class=\"kreq\">&#9632; requests/s</span><span class=\"k50\">&#9472; p50 latency</span><span class=\"k99\">&#9472; p99 latency</span><span>DNS: <span class=\"k50\">&#9650; added</span> <span class=\"k99\">&#9660; removed</span></span></p>\n"
        if !status.listeners.isEmpty { html += listenerTable(status.listeners) }
        for backend in status.backends {
            html += backendSection(backend, status: status, actions: actions)
        }
        if !status.certificates.isEmpty {
            html += "<h2>certificates</h2>\n<table><thead><tr><th>listener</th><th>subject</th><th>names</th><th>serial</th><th>expires</th><th>days left</th></tr></thead><tbody>\n"
            for certificate in status.certificates {
                let days = (Double(certificate.notAfter) - status.generatedAt) / 86_400
                html += "<tr><td class=\"name\">\(escape(certificate.listener))</td><td class=\"name\">\(escape(certificate.subject))</td><td class=\"name\">\(escape(certificate.serverNames.joined(separator: ", ")))</td>"
                html += "<td>\(escape(certificate.serialNumber))</td><td>\(escape(iso8601(Double(certificate.notAfter))))</td><td>\(String(format: "%.1f", days))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        html += "</main>\n</body></html>\n"
        return html
    }

    /// What a browser gets for the page when a token is configured and its request carried
    /// none (a 401): the form to paste the token into, and the script that then loads the page
    /// with it. No data.
    static func signIn(refreshSeconds: Int = 5) -> String {
        head(refreshSeconds: refreshSeconds, actions: true) + """
        <main>
        <form id="token-form"><label>admin token <input id="token" type="password" autocomplete="off" size="40"></label>
        <button type="submit">open</button>
        <p class="muted">Kept in this tab's session storage only; sent as a bearer token to this admin listener.</p></form>
        </main>
        </body></html>

        """
    }

    private static func head(refreshSeconds: Int, actions: Bool) -> String {
        // With actions the script refreshes (a meta refresh would drop the bearer token).
        let refresh = actions ? "<script src=\"/stats.js\" defer></script>" : "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">"
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        \(refresh)
        <link rel="stylesheet" href="/stats.css">
        <title>proxyd stats</title>
        </head><body data-refresh="\(refreshSeconds)">
        <h1>proxyd</h1>
        \(actions ? "<p id=\"action-status\" class=\"muted\"></p>\n" : "")
        """
    }

    /// The frontends: one row per listener with HAProxy's frontend counters.
    static func listenerTable(_ listeners: [ProxyStatus.Listener]) -> String {
        var html = "<h2>listeners</h2>\n<table class=\"listeners\"><thead><tr>"
        for column in ["listener", "bind", "TLS", "cur", "max", "limit", "sessions", "requests", "bytes in", "bytes out", "denied", "req errors"] {
            html += "<th>\(column)</th>"
        }
        html += "</tr></thead><tbody>\n"
        for listener in listeners {
            let c = listener.counters
            html += "<tr data-listener=\"\(escape(listener.name))\" data-sessions=\"\(c.sessions)\" data-requests=\"\(c.requests)\"><td class=\"name\">\(escape(listener.name))</td><td class=\"name\">\(escape(listener.bind))</td><td>\(listener.tls ? "yes" : "no")</td>"
            html += cells([c.sessionsCurrent, c.sessionsMax, listener.maxConnections, c.sessions, c.requests].map(String.init))
            html += cells([bytes(c.bytesIn), bytes(c.bytesOut), String(c.denied), String(c.requestErrors)]) + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    private static let columns = [
        "server", "endpoint", "SRV target", "prio", "weight", "state", "cur", "max", "total", "req/s",
        "bytes in", "bytes out", "conn err", "resp err", "5xx", "retries", "redisp", "check", "check ms",
        "last change", "downtime", "requests/s, p50/p99 latency",
    ]

    private static func backendSection(_ backend: ProxyStatus.Backend, status: ProxyStatus, actions: Bool) -> String {
        let name = escape(backend.name)
        var html = "<section class=\"backend\" id=\"backend-\(name)\" data-backend=\"\(name)\">\n<h2>backend \(name)</h2>\n"
        html += "<p>\(escape(backend.strategy)); \(backend.endpoints.count) endpoint(s)"
        if let updated = backend.lastMembershipUpdate { html += "; membership last changed \(escape(ago(updated, now: status.generatedAt)))" }
        html += "</p>\n"
        if let dns = backend.dns {
            html += "<p>SRV <code>\(escape(dns.name))</code>: last answer "
            html += dns.secondsSinceLastAnswer.map { String(format: "%.1f s ago", $0) } ?? "never"
            html += ", last change " + (dns.secondsSinceLastChange.map { String(format: "%.1f s ago", $0) } ?? "never")
            html += "; \(dns.queries) queries, \(dns.timeouts) timeouts, \(dns.truncations) truncated, \(dns.droppedAnswers) dropped answers"
            if let error = dns.lastError { html += "; last error: \(escape(error))" }
            html += "</p>\n"
        }
        html += timeline(backend, status: status)
        html += "<table class=\"endpoints\"><thead><tr>"
        for column in columns { html += "<th>\(escape(column))</th>" }
        if actions { html += "<th>actions</th>" }
        html += "</tr></thead><tbody>\n"
        let inFlight = backend.endpoints.reduce(0) { $0 + $1.inFlight }
        let up = backend.endpoints.contains { $0.state == "up" }
        let totals = backend.totals
        html += "<tr class=\"backend\" data-row=\"backend\"><td class=\"name\">BACKEND</td><td></td><td></td><td></td><td></td><td class=\"state\">\(up ? "UP" : "DOWN")</td>"
        html += cells([inFlight, backend.maxInFlight, totals.requests].map(String.init)) + "<td></td>"
        html += cells([bytes(totals.bytesIn), bytes(totals.bytesOut)] + [totals.connectionErrors, totals.responseErrors, totals.serverErrorResponses, totals.retries, totals.redispatches].map(String.init))
        html += "<td></td><td></td><td></td><td></td><td></td>"
        if actions { html += "<td></td>" }
        html += "</tr>\n"
        for endpoint in backend.endpoints {
            html += endpointRow(endpoint, backend: backend.name, status: status, actions: actions)
        }
        html += "</tbody></table>\n</section>\n"
        return html
    }

    private static func endpointRow(_ endpoint: ProxyStatus.Endpoint, backend: String, status: ProxyStatus, actions: Bool) -> String {
        let weight = endpoint.weightOverride.map { "\($0) (set; DNS \(endpoint.weight))" } ?? "\(endpoint.weight)"
        let id = escape(endpoint.id)
        let counters = endpoint.counters
        var html = "<tr class=\"\(escape(endpoint.state))\" data-endpoint=\"\(id)\" data-state=\"\(escape(endpoint.state))\""
        html += " data-requests=\"\(counters.requests)\" data-bytes-in=\"\(counters.bytesIn)\" data-bytes-out=\"\(counters.bytesOut)\">"
        html += "<td class=\"name\">\(escape(endpoint.name ?? "-"))</td><td class=\"name\">\(id)</td><td class=\"name\">\(escape(endpoint.target ?? "-"))</td>"
        html += cells([String(endpoint.priority), weight])
        html += "<td class=\"state\">\(escape(endpoint.state))</td>"
        html += cells([String(endpoint.inFlight), String(endpoint.maxInFlight), String(counters.requests), String(format: "%.1f", endpoint.requestRate)])
        html += cells([bytes(counters.bytesIn), bytes(counters.bytesOut)] + [counters.connectionErrors, counters.responseErrors, counters.serverErrorResponses, counters.retries, counters.redispatches].map(String.init))
        html += "<td class=\"name\">\(escape(endpoint.lastCheck ?? "-"))</td><td>\(endpoint.checkDurationMilliseconds.map { String(format: "%.1f", $0) } ?? "-")</td>"
        html += "<td>\(escape(endpoint.lastStateChange.map { ago($0, now: status.generatedAt) } ?? "-"))</td><td>\(escape(duration(endpoint.downtimeSeconds)))</td>"
        html += "<td>\(chart(endpoint, interval: status.historyIntervalSeconds))</td>"
        if actions {
            let data = "data-backend=\"\(escape(backend))\" data-endpoint=\"\(id)\""
            html += "<td><button type=\"button\" class=\"action\" data-action=\"drain\" \(data)>drain</button>"
            html += "<button type=\"button\" class=\"action\" data-action=\"enable\" \(data)>ready</button></td>"
        }
        html += "</tr>\n"
        return html
    }

    /// An endpoint's chart; `data-series` carries the requests per interval for scripts and tests.
    static func chart(_ endpoint: ProxyStatus.Endpoint, interval: Double) -> String {
        let geometry = StatsChart(history: endpoint.history, interval: interval)
        let (w, h) = (StatsChart.format(StatsChart.width), StatsChart.format(StatsChart.height))
        var svg = "<svg class=\"chart\" data-endpoint=\"\(escape(endpoint.id))\" data-series=\"\(endpoint.history.map { String($0.requests) }.joined(separator: ","))\""
        svg += " width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" aria-label=\"requests per second and latency of \(escape(endpoint.id))\">"
        svg += "<title>peak \(String(format: "%.1f", geometry.peakRate)) req/s, p99 up to \(escape(milliseconds(geometry.peakLatency)))</title>"
        svg += "<line class=\"axis\" x1=\"0\" y1=\"\(StatsChart.format(StatsChart.height - 1))\" x2=\"\(w)\" y2=\"\(StatsChart.format(StatsChart.height - 1))\"/>"
        for bar in geometry.bars {
            svg += "<rect class=\"bar\" x=\"\(StatsChart.format(bar.x))\" y=\"\(StatsChart.format(StatsChart.height - 1 - bar.height))\" width=\"\(StatsChart.format(bar.width))\" height=\"\(StatsChart.format(bar.height))\"/>"
        }
        if !geometry.p50.isEmpty { svg += "<polyline class=\"p50\" points=\"\(StatsChart.polyline(geometry.p50))\"/>" }
        if !geometry.p99.isEmpty { svg += "<polyline class=\"p99\" points=\"\(StatsChart.polyline(geometry.p99))\"/>" }
        svg += "<text x=\"2\" y=\"10\" font-size=\"9\" fill=\"#555\">\(String(format: "%.1f", geometry.peakRate))/s &middot; p99 \(escape(milliseconds(geometry.peakLatency)))</text>"
        return svg + "</svg>"
    }

    /// The backend's DNS changes on the charts' time span (older ones are listed, not drawn).
    static func timeline(_ backend: ProxyStatus.Backend, status: ProxyStatus) -> String {
        let span = status.historyIntervalSeconds * Double(RequestHistoryRing.defaultSlotCount)
        let to = status.generatedAt
        let from = to - span
        let (w, h) = (StatsChart.format(StatsChart.timelineWidth), StatsChart.format(StatsChart.timelineHeight))
        var svg = "<svg class=\"timeline\" data-backend=\"\(escape(backend.name))\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" aria-label=\"DNS changes of \(escape(backend.name))\">"
        svg += "<line class=\"axis\" x1=\"0\" y1=\"18\" x2=\"\(w)\" y2=\"18\"/>"
        svg += "<text x=\"2\" y=\"33\" font-size=\"9\" fill=\"#555\">-\(Int(span / 60)) min</text><text x=\"\(StatsChart.format(StatsChart.timelineWidth - 24))\" y=\"33\" font-size=\"9\" fill=\"#555\">now</text>"
        var listed = ""
        for change in backend.changes {
            let description = (change.added.map { "+" + $0 } + change.removed.map { "-" + $0 }).joined(separator: " ")
            listed += "<li>\(escape(ago(change.at, now: to))): \(escape(description))</li>"
            guard let x = StatsChart.timelineX(change.at, from: from, to: to) else { continue }
            let xs = StatsChart.format(x)
            svg += "<g class=\"dns-change\" data-at=\"\(StatsChart.format(change.at))\" data-added=\"\(change.added.count)\" data-removed=\"\(change.removed.count)\"><title>\(escape(description))</title>"
            if !change.added.isEmpty { svg += "<path class=\"added\" d=\"M\(xs) 4 l-5 9 h10 z\"/>" }
            if !change.removed.isEmpty { svg += "<path class=\"removed\" d=\"M\(xs) 32 l-5 -9 h10 z\"/>" }
            svg += "</g>"
        }
        svg += "</svg>\n"
        if !listed.isEmpty { svg += "<details><summary>DNS changes (\(backend.changes.count))</summary><ul class=\"dns-changes\">\(listed)</ul></details>\n" }
        return svg
    }

    private static func cells(_ values: [String]) -> String {
        values.map { "<td>\(escape($0))</td>" }.joined()
    }

    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 0.01 ? String(format: "%.2f ms", seconds * 1000) : String(format: "%.0f ms", seconds * 1000)
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds)
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m\(whole % 60)s" }
        return "\(whole / 3600)h\((whole % 3600) / 60)m"
    }

    static func ago(_ time: Double, now: Double) -> String {
        duration(max(0, now - time)) + " ago"
    }

    /// Text as HTML character data or an attribute value.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    static func iso8601(_ seconds: Double) -> String {
        AccessLogFormat.iso8601(Int64(seconds * 1_000_000))
    }
}
