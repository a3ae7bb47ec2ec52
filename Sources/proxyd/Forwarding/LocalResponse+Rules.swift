import HTTPCore
import NIOCore

extension LocalResponse {
    /// A redirect as HAProxy writes one (`http_apply_redirect_rule`): no body, `Content-Length:
    /// 0`, the Location, and `Cache-Control: no-cache` for the temporary codes 302, 303 and 307
    /// (a permanent redirect may be cached).
    static func redirect(to location: String, status: Int, close: Bool, allocator: ByteBufferAllocator) -> [HTTPOutboundPart] {
        var fields: [(name: String, value: String)] = [("Location", location)]
        if [302, 303, 307].contains(status) { fields.append(("Cache-Control", "no-cache")) }
        if close { fields.append(("Connection", "close")) }
        do {
            let head = try HTTPOutgoingHead.response(status: status, reason: reason(for: status), fields: fields,
                                                     framing: .contentLength(0), allocator: allocator)
            return [.head(head), .end(trailers: nil)]
        } catch {
            // Only a Location with CR/LF can fail validation (a hostile Host header); refuse
            // the request rather than inject a header.
            return parts(status: 400, close: true, allocator: allocator)
        }
    }

    /// The parts of a response written in the configuration (`http-request return`): its
    /// `hdr` fields, then Content-Length and Content-Type as HAProxy writes them (no
    /// Content-Type without a body), and `Connection: close` when the connection ends after it.
    /// `headOnly` answers a HEAD request: no body (RFC 9110 §9.3.2).
    static func parts(configured response: ConfiguredResponse.Rendered, close: Bool, headOnly: Bool = false,
                      allocator: ByteBufferAllocator) -> [HTTPOutboundPart] {
        var fields = response.headers.map { (name: $0.name, value: $0.value) }
        if let contentType = response.contentType { fields.append(("Content-Type", contentType)) }
        if close { fields.append(("Connection", "close")) }
        let framing = HTTPBodyFraming.contentLength(response.body.utf8.count)
        do {
            let head = try HTTPOutgoingHead.response(status: response.status, reason: reason(for: response.status),
                                                     fields: fields, framing: framing, allocator: allocator)
            if response.body.isEmpty || headOnly { return [.head(head), .end(trailers: nil)] }
            return [.head(head), .body(allocator.buffer(string: response.body)), .end(trailers: nil)]
        } catch {
            // Only an `hdr` value rendered from the request (`%[req.hdr(…)]`) can fail
            // validation; answer as proxyd answers any request it cannot serve, never inject.
            return parts(status: 500, close: close, allocator: allocator)
        }
    }
}
