import Yams

/// Reads `error_pages:` — at the top level (every listener and backend), in a listener and in
/// a backend — as status code → page:
///
/// ```yaml
/// error_pages:
///   503: /etc/haproxy/errors/503.http           # a complete HTTP response (HAProxy's errorfile)
///   404: {redirect: https://example.com/oops}   # HAProxy's errorloc302 (code: 303 for errorloc303)
/// ```
///
/// A listener's or backend's own entry wins over the top level's for the same code; the
/// backend's page wins over the listener's once a request was given to it (see
/// ``ErrorPageTable``). Files are read and checked at load, like haproxy.cfg's.
struct YAMLErrorPagesReader {
    let diagnostics: ConfigurationDiagnostics

    func pages(in m: YAMLMapping, key: String = "error_pages") -> [Int: ErrorPage] {
        guard let value = m[key] else { return [:] }
        let path = m.qualified(key)
        guard case .mapping(let mapping) = value else {
            diagnostics.error("\(path) must map status codes to error page files, found \(value.kindDescription)", at: value)
            return [:]
        }
        var pages: [Int: ErrorPage] = [:]
        for (keyNode, entry) in mapping {
            let text = keyNode.scalar?.string ?? ""
            let code: Int
            do {
                code = try HAProxyErrorPagesReader.code(text, directive: path)
            } catch {
                diagnostics.error(error.message, at: keyNode)
                continue
            }
            do throws(ErrorPage.Problem) {
                if let file = entry.scalar?.string {
                    pages[code] = try ErrorPage.file(file)
                } else if let redirect = YAMLMapping(entry, path: "\(path).\(code)", allowedKeys: ["redirect", "code"], diagnostics: diagnostics) {
                    guard let location = redirect.string("redirect") else {
                        redirect.error("a redirecting error page needs `redirect: URL`")
                        continue
                    }
                    let status = redirect.int("code", in: 302...303) ?? 302
                    pages[code] = try ErrorPage.redirect(to: location, status: status)
                }
            } catch {
                diagnostics.error("\(path).\(code): \(error.message)", at: entry)
            }
        }
        return pages
    }
}

extension ProxyConfiguration {
    /// The top-level `error_pages:`: every listener and backend gets each page whose code it
    /// does not set itself (as a haproxy.cfg `defaults` section passes its errorfiles on).
    mutating func applyErrorPages(_ pages: [Int: ErrorPage]) {
        guard !pages.isEmpty else { return }
        for index in listeners.indices { listeners[index].errorPages.merge(pages) { own, _ in own } }
        for index in backends.indices { backends[index].errorPages.merge(pages) { own, _ in own } }
    }
}
