public import NIOCore

/// A head ready to be written: its bytes, and what the codec must know to frame what follows.
public struct HTTPOutgoingHead: Sendable, Hashable {
    /// The serialized head, ending with the empty line.
    public var bytes: ByteBuffer
    /// How the body parts that follow are framed on the wire.
    public var framing: HTTPBodyFraming
    /// For requests: the method (the client codec needs it to frame the response).
    public var method: HTTPMethod
    /// For responses: the status (the server codec needs it to see a protocol switch).
    public var status: Int

    /// A head serialized elsewhere.
    public init(bytes: ByteBuffer, framing: HTTPBodyFraming, method: HTTPMethod = .get, status: Int = 0) {
        self.bytes = bytes
        self.framing = framing
        self.method = method
        self.status = status
    }

    /// A parsed head forwarded with `edits` (framing, method and status carried over).
    public init(forwarding head: HTTPMessageHead, edits: HTTPHeaderEdits, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        // Sized once: the head as it came, the additions, and room for the canonical framing
        // field (`Transfer-Encoding: chunked` or a Content-Length up to 20 digits).
        var buffer = allocator.buffer(capacity: head.bytes.readableBytes + edits.additionBytes + 48)
        head.write(edits: edits, into: &buffer)
        self.init(bytes: buffer, framing: head.framing, method: head.method, status: head.status)
    }

    /// A response head built from parts; `framing` adds Content-Length / Transfer-Encoding.
    public static func response(
        status: Int, reason: String, fields: [(name: String, value: String)] = [], framing: HTTPBodyFraming,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(HTTPHeaderEdits.Error) -> HTTPOutgoingHead {
        var buffer = allocator.buffer(capacity: 256)
        try HTTPHeadSerializer.writeResponseHead(status: status, reason: reason, fields: fields, framing: framing, into: &buffer)
        return HTTPOutgoingHead(bytes: buffer, framing: framing, status: status)
    }

    /// A request head built from parts; `framing` adds Content-Length / Transfer-Encoding.
    public static func request(
        method: String, target: String, fields: [(name: String, value: String)] = [],
        framing: HTTPBodyFraming, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(HTTPHeaderEdits.Error) -> HTTPOutgoingHead {
        var buffer = allocator.buffer(capacity: 256)
        try HTTPHeadSerializer.writeRequestHead(method: method, target: target, fields: fields, framing: framing, into: &buffer)
        let known = Array(method.utf8).withUnsafeBytes { HTTPMethod.classify($0, 0, $0.count) }
        return HTTPOutgoingHead(bytes: buffer, framing: framing, method: known)
    }
}
