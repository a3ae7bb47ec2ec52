import NIOCore

/// The error pages a listener's connections answer with, pre-rendered: the listener's own and
/// those of every backend it can send requests to.
///
/// Which page applies is HAProxy's rule (`http_error_message`): once a request has been given
/// to a backend, that backend's page for the status if it has one, otherwise the listener's
/// (HAProxy's frontend); with neither, proxyd's own short response. A listener with no page
/// anywhere has no table at all (``make(listener:backends:)`` returns nil), so the error path
/// then costs one nil check.
final class ErrorPageTable: Sendable {
    private let listenerPages: [Int: RenderedErrorPage]
    private let backendPages: [String: [Int: RenderedErrorPage]]

    init(listenerPages: [Int: RenderedErrorPage], backendPages: [String: [Int: RenderedErrorPage]]) {
        self.listenerPages = listenerPages
        self.backendPages = backendPages
    }

    /// The table for `listener`, or nil when neither it nor a backend it uses has a page.
    static func make(listener: ListenerConfiguration, backends: [BackendConfiguration], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ErrorPageTable? {
        let used = Set(ConfigurationDiff.backendNames(of: listener))
        var backendPages: [String: [Int: RenderedErrorPage]] = [:]
        for backend in backends where used.contains(backend.name) && !backend.errorPages.isEmpty {
            backendPages[backend.name] = render(backend.errorPages, allocator: allocator)
        }
        guard !listener.errorPages.isEmpty || !backendPages.isEmpty else { return nil }
        return ErrorPageTable(listenerPages: render(listener.errorPages, allocator: allocator), backendPages: backendPages)
    }

    private static func render(_ pages: [Int: ErrorPage], allocator: ByteBufferAllocator) -> [Int: RenderedErrorPage] {
        pages.reduce(into: [:]) { rendered, entry in
            rendered[entry.key] = RenderedErrorPage(code: entry.key, page: entry.value, allocator: allocator)
        }
    }

    /// The page for `status` of a request given to `backend` (nil before a backend was
    /// chosen), or nil for proxyd's own response.
    func page(for status: Int, backend: String?) -> RenderedErrorPage? {
        if let backend, let page = backendPages[backend]?[status] { return page }
        return listenerPages[status]
    }
}
