import HTTPCore
import NIOCore

/// The responses the proxy writes itself: redirects and errors, with small bodies a person
/// can read (and a `Connection: close` when the connection ends after them) — or, for an
/// error with a configured page (`errorfile`, ``ErrorPageTable``), that page.
enum LocalResponse {
    /// What to write for one local response.
    struct Response {
        var parts: [HTTPOutboundPart]
        /// The status the client sees (an error page's own status line may differ from the
        /// code it is configured for, as HAProxy allows).
        var status: Int
        /// Whether the connection closes after it.
        var close: Bool
    }

    /// The response for `status`: `page` when one is configured, proxyd's own otherwise.
    /// `headOnly` answers a HEAD request: no body (RFC 9110 §9.3.2).
    static func response(status: Int, location: String?, keepAlive: Bool, headOnly: Bool, page: RenderedErrorPage?,
                         allocator: ByteBufferAllocator) -> Response {
        if let page {
            if page.isEmpty { return Response(parts: [], status: page.status, close: true) }
            let (parts, close) = page.parts(keepAlive: keepAlive, headOnly: headOnly)
            return Response(parts: parts, status: page.status, close: close)
        }
        var parts = self.parts(status: status, location: location, close: !keepAlive, allocator: allocator)
        if headOnly { parts.removeAll { if case .body = $0 { true } else { false } } }
        return Response(parts: parts, status: status, close: !keepAlive)
    }

    static func reason(for status: Int) -> String {
        switch status {
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 431: "Request Header Fields Too Large"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: HTTPReasonPhrase.phrase(for: status)
        }
    }

    static func body(for status: Int, detail: String?) -> String {
        let summary: String
        switch status {
        case 403: summary = "Request forbidden by administrative rules."
        case 502: summary = "The backend failed to answer."
        case 503: summary = "No backend endpoint is available."
        case 504: summary = "The backend did not answer in time."
        case 301, 302, 303, 307, 308: summary = "Redirecting."
        default: summary = reason(for: status) + "."
        }
        return "\(status) \(reason(for: status)): \(summary)\(detail.map { " \($0)" } ?? "")\n"
    }

    /// The parts of a complete response.
    static func parts(status: Int, location: String? = nil, detail: String? = nil, close: Bool,
                      allocator: ByteBufferAllocator) -> [HTTPOutboundPart] {
        let text = body(for: status, detail: detail)
        var fields: [(name: String, value: String)] = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]
        if let location { fields.append(("Location", location)) }
        if close { fields.append(("Connection", "close")) }
        let framing = HTTPBodyFraming.contentLength(text.utf8.count)
        let head: HTTPOutgoingHead
        do {
            head = try .response(status: status, reason: reason(for: status), fields: fields, framing: framing, allocator: allocator)
        } catch {
            // Only a Location with CR/LF can fail validation (a hostile Host header); answer
            // without it rather than inject a header.
            let safe = fields.filter { $0.name != "Location" }
            head = (try? .response(status: 400, reason: reason(for: 400), fields: safe, framing: .contentLength(0), allocator: allocator))
                ?? HTTPOutgoingHead(bytes: allocator.buffer(string: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), framing: .contentLength(0), status: 400)
            return [.head(head), .end(trailers: nil)]
        }
        return [.head(head), .body(allocator.buffer(string: text)), .end(trailers: nil)]
    }
}

extension HTTPOutboundPart {
    /// Bytes this part puts on the wire (before chunk framing), for the access log's byte count.
    var byteCount: Int {
        switch self {
        case .head(let head): head.bytes.readableBytes
        case .body(let bytes), .tunnel(let bytes): bytes.readableBytes
        case .end(let trailers): trailers?.readableBytes ?? 0
        }
    }
}
