import HTTPCore
import NIOCore

/// An ``ErrorPage`` made ready to write once, when a listener generation is built: its head
/// and body as ByteBuffers that every response shares (writing one is a reference-count
/// increment, no formatting and no copy).
///
/// The page goes out as the configuration wrote it, with two exceptions that keep HTTP right:
/// - a response to HEAD is the head alone (RFC 9110 §9.3.2);
/// - when the connection closes after the page but the page does not say so, the head carries
///   an added `Connection: close` (RFC 9112 §9.6; HAProxy adds it too).
/// The connection closes after a page whose body runs until close (no Content-Length) or
/// whose head says `Connection: close` (or is HTTP/1.0 without keep-alive), whatever the
/// request asked.
struct RenderedErrorPage: Sendable {
    /// The status the page answers (the code it is configured for), given to the codec, which
    /// only uses it to see a protocol switch (a page never switches).
    let code: Int
    /// The status line's code: what the client sees, metrics count and the access log shows.
    let status: Int
    private let head: ByteBuffer
    /// `head` with `Connection: close` added, or `head` itself when it already closes.
    private let closingHead: ByteBuffer
    private let body: ByteBuffer
    private let framing: HTTPBodyFraming
    /// Whether the connection must close after this page, whatever the request wanted.
    let alwaysCloses: Bool
    /// An empty page (`errorfile 408 /dev/null`): close without answering, as HAProxy does.
    let isEmpty: Bool

    /// Splits a page checked at load. A page that no longer parses (impossible: the same
    /// rules ran at load) renders as empty, which closes the connection rather than sending
    /// something half-formed.
    init(code: Int, page: ErrorPage, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.code = code
        var parser = HTTPHeadParser(kind: .response)
        let progress = page.response.withUnsafeBytes { buffer in try? parser.parse(buffer) }
        guard !page.response.isEmpty, case .complete(let length)? = progress else {
            status = code
            head = allocator.buffer(capacity: 0)
            closingHead = head
            body = head
            framing = .none
            alwaysCloses = true
            isEmpty = true
            return
        }
        let parsed = parser.head
        status = parsed.status
        framing = parsed.framing
        isEmpty = false
        alwaysCloses = parsed.framing == .untilClose || !parsed.keepAlive
        head = allocator.buffer(bytes: page.response[..<length])
        body = allocator.buffer(bytes: page.response[length...])
        // A client reads an HTTP/1.1 head (or 1.0 with keep-alive) without `close` as "the
        // connection stays": say close when it does not.
        let saysClose = parsed.connection.contains(.close)
            || (parsed.version == .http1_0 && !parsed.connection.contains(.keepAlive))
        if !saysClose {
            // Before the empty line that ends the head.
            var closing = allocator.buffer(capacity: length + 19)
            closing.writeBytes(page.response[..<(length - 2)])
            closing.writeStaticString("Connection: close\r\n\r\n")
            closingHead = closing
        } else {
            closingHead = head
        }
    }

    /// The parts to write, and whether the connection closes after them. `keepAlive` is what
    /// the exchange allows; `headOnly` is set for a response to HEAD.
    func parts(keepAlive: Bool, headOnly: Bool) -> (parts: [HTTPOutboundPart], close: Bool) {
        let close = alwaysCloses || !keepAlive
        let bytes = close ? closingHead : head
        if headOnly || body.readableBytes == 0 {
            return ([.head(HTTPOutgoingHead(bytes: bytes, framing: .none, status: code)), .end(trailers: nil)], close)
        }
        return ([.head(HTTPOutgoingHead(bytes: bytes, framing: framing, status: code)), .body(body), .end(trailers: nil)], close)
    }
}
