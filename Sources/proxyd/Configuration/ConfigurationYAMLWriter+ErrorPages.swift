import Yams

/// `error_pages:` for `proxyd convert` / `proxyd check`. haproxy.cfg's `http-errors` sets and
/// `defaults` pages were copied into each listener and backend when it was read; here the pages
/// that every listener and backend has alike go back to one top-level `error_pages:` (the
/// seed's seven `defaults` errorfiles become seven lines, not seven per section), and each
/// section writes only what differs. Reading the output back gives the same model.
extension ConfigurationYAMLWriter {
    /// The pages every listener and every backend has, identical.
    static func sharedErrorPages(of c: ProxyConfiguration) -> [Int: ErrorPage] {
        let all = c.listeners.map(\.errorPages) + c.backends.map(\.errorPages)
        guard var shared = all.first else { return [:] }
        for pages in all.dropFirst() { shared = shared.filter { pages[$0.key] == $0.value } }
        return shared
    }

    /// `error_pages:` with `pages` except those in `shared`; nil when nothing is left.
    static func errorPagesEntry(_ pages: [Int: ErrorPage], except shared: [Int: ErrorPage] = [:]) -> (String, Node)? {
        let own = pages.filter { shared[$0.key] != $0.value }
        guard !own.isEmpty else { return nil }
        let entries: [(Node, Node)] = own.keys.sorted().compactMap { code in
            guard let page = own[code] else { return nil }
            switch page.source {
            case .file(let path):
                return (Node(String(code)), Node(path))
            case .redirect(let location, let status):
                return (Node(String(code)), .mapping(.init([(Node("redirect"), Node(location)), (Node("code"), Node(String(status)))])))
            }
        }
        return ("error_pages", .mapping(.init(entries)))
    }
}
