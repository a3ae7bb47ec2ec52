/// Where a section's request and response rules run.
///
/// HAProxy runs a frontend's rules, then the rules of the backend it picks; a `listen` section
/// is both, and when it serves a request itself its rules run once (`stream_set_backend` skips
/// the backend pass when the backend is the frontend). proxyd keeps rules per listener and per
/// backend, so a section's rules go to one of them.
extension HAProxyModelBuilder {
    /// A backend's rules run on its backend; a `listen` section that serves every request
    /// itself (servers, no `use_backend`) too: that way other frontends that route to it run
    /// them as HAProxy does, and its own requests run them once.
    static func rulesRunOnBackend(_ proxy: HAProxyProxy) -> Bool {
        switch proxy.section.kind {
        case .backend: true
        case .listen: hasServerLines(proxy) && proxy.routes.isEmpty
        default: false
        }
    }

    private static func hasRules(_ proxy: HAProxyProxy) -> Bool {
        !proxy.httpRequestRules.isEmpty || !proxy.redirectRules.isEmpty || !proxy.httpResponseRules.isEmpty
    }

    /// A `listen` section with servers, `use_backend` lines and rules keeps its rules on its
    /// listener; another section routing to it would then skip them, where HAProxy runs them.
    /// Such a reference is refused at its line.
    func checkRulesOfRoutingListens(_ proxies: [HAProxyProxy]) {
        let listens = proxies.filter {
            $0.section.kind == .listen && Self.hasServerLines($0) && !$0.routes.isEmpty && Self.hasRules($0)
        }
        for listen in listens {
            let name = listen.section.name
            let problem = "\(listen.section.label) has use_backend lines and rules of its own, which proxyd runs for its own listener only; split it into a frontend and a backend so that requests routed to it from here get its rules"
            for proxy in proxies where proxy.section.name != name && (proxy.section.kind == .frontend || proxy.section.kind == .listen) {
                if let reference = proxy.settings.defaultBackend, reference.value == name {
                    diagnostics.error(problem, line: reference.line)
                }
                for route in proxy.routes where route.backend == name {
                    diagnostics.error(problem, at: route.location)
                }
            }
        }
    }
}
