import Foundation

/// The HTML stats page: one table per backend (every endpoint with its address, SRV target,
/// priority/weight, state, in-flight and request rate), DNS state and certificates. No
/// external assets or scripts: it refreshes itself with `<meta http-equiv="refresh">`, so it
/// works from a terminal browser or through an SSH tunnel alike.
enum StatsPage {
    static func render(_ status: ProxyStatus, refreshSeconds: Int = 2) -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="refresh" content="\(refreshSeconds)">
        <title>proxyd stats</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
        table{border-collapse:collapse;margin-bottom:1.5em}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}
        th{background:#eee}
        .up{background:#d8f5d0}.down,.ejected{background:#f8d0d0}.draining,.drained{background:#f5ecc8}
        .muted{color:#777}
        </style></head><body>
        <h1>proxyd</h1>
        <p class="muted">generated \(escape(iso8601(status.generatedAt))) &middot; refreshes every \(refreshSeconds) s &middot; <a href="/metrics">/metrics</a> &middot; <a href="/api/backends">/api/backends</a></p>

        """
        for backend in status.backends {
            html += "<h2 id=\"backend-\(escape(backend.name))\">backend \(escape(backend.name))</h2>\n"
            html += "<p>\(escape(backend.strategy)); \(backend.endpoints.count) endpoint(s)"
            if let updated = backend.lastMembershipUpdate {
                html += "; membership last changed \(escape(iso8601(updated)))"
            }
            html += "</p>\n"
            if let dns = backend.dns {
                html += "<p>SRV <code>\(escape(dns.name))</code>: last answer "
                html += dns.secondsSinceLastAnswer.map { String(format: "%.1f s ago", $0) } ?? "never"
                html += ", last change " + (dns.secondsSinceLastChange.map { String(format: "%.1f s ago", $0) } ?? "never")
                html += "; \(dns.queries) queries, \(dns.timeouts) timeouts, \(dns.truncations) truncated, \(dns.droppedAnswers) dropped answers"
                if let error = dns.lastError { html += "; last error: \(escape(error))" }
                html += "</p>\n"
            }
            html += "<table><thead><tr><th>endpoint</th><th>SRV target</th><th>priority</th><th>weight</th><th>state</th><th>in flight</th><th>requests</th><th>req/s</th><th>last check</th></tr></thead><tbody>\n"
            for endpoint in backend.endpoints {
                let weight = endpoint.weightOverride.map { "\($0) (set; DNS \(endpoint.weight))" } ?? "\(endpoint.weight)"
                html += "<tr class=\"\(escape(endpoint.state))\" data-endpoint=\"\(escape(endpoint.id))\" data-state=\"\(escape(endpoint.state))\">"
                html += "<td>\(escape(endpoint.id))</td><td>\(escape(endpoint.target ?? "-"))</td><td>\(endpoint.priority)</td><td>\(escape(weight))</td>"
                html += "<td>\(escape(endpoint.state))</td><td>\(endpoint.inFlight)</td><td>\(endpoint.requests)</td>"
                html += "<td>\(String(format: "%.1f", endpoint.requestRate))</td><td>\(escape(endpoint.lastCheck ?? "-"))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        if !status.certificates.isEmpty {
            html += "<h2>certificates</h2>\n<table><thead><tr><th>listener</th><th>subject</th><th>names</th><th>serial</th><th>expires</th><th>days left</th></tr></thead><tbody>\n"
            for certificate in status.certificates {
                let days = (Double(certificate.notAfter) - status.generatedAt) / 86_400
                html += "<tr><td>\(escape(certificate.listener))</td><td>\(escape(certificate.subject))</td><td>\(escape(certificate.serverNames.joined(separator: ", ")))</td>"
                html += "<td>\(escape(certificate.serialNumber))</td><td>\(escape(iso8601(Double(certificate.notAfter))))</td><td>\(String(format: "%.1f", days))</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        html += "</body></html>\n"
        return html
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
