import NIOCore

/// The parsing side of a codec, as a protocol so one decoding loop serves both codecs.
protocol HTTPInboundStateMachine {
    /// Parses from the start of `bytes` (see `HTTPMessageParser.parse`).
    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPMessageParser.Event
    /// The head of the last `.head` event.
    var head: HTTPHead { get }
}

/// Turns received buffers into `HTTPInboundPart`s, one at a time, with body and tunnel bytes
/// as slices of the received buffers.
///
/// One part per call (not a callback per part) so that the handler's access to its state
/// ends before it fires the part: a handler further down may write a response from inside
/// `channelRead`, and that write updates the same state machine.
struct HTTPInboundDecoder {
    private var cumulation: ByteBuffer?

    /// Bytes still held (a partial head, chunk-size line or trailer section).
    var unconsumed: Int { cumulation?.readableBytes ?? 0 }

    /// Adds received bytes. Copies only when a partial line from the last read is pending.
    mutating func append(_ buffer: ByteBuffer) {
        guard var existing = cumulation else {
            cumulation = buffer
            return
        }
        cumulation = nil  // keep `existing` unique so the write does not copy twice
        var incoming = buffer
        existing.writeBuffer(&incoming)
        cumulation = existing
    }

    /// The next part, or nil when more bytes are needed (or the parser is paused).
    mutating func next<Machine: HTTPInboundStateMachine>(_ machine: inout Machine) throws(HTTPParseError) -> HTTPInboundPart? {
        // Parse even with no bytes held: a message whose body just ended still owes its `.end`.
        var buffer = cumulation ?? ByteBuffer()
        cumulation = nil
        defer { cumulation = buffer.readableBytes > 0 ? buffer : nil }
        while true {
            let result = buffer.withUnsafeReadableBytes { bytes in
                Result { () throws(HTTPParseError) -> HTTPMessageParser.Event in try machine.parse(bytes) }
            }
            // The ranges below come from the parser and lie within the readable bytes it was
            // given, so the slices always exist; `?? ByteBuffer()` only satisfies the type.
            switch try result.get() {
            case .needMore(let consumed):
                buffer.moveReaderIndex(forwardBy: consumed)
                return nil
            case .head(let length):
                let bytes = buffer.readSlice(length: length) ?? ByteBuffer()
                return .head(HTTPMessageHead(bytes: bytes, head: machine.head))
            case .body(let range):
                buffer.moveReaderIndex(forwardBy: range.lowerBound)
                return .body(buffer.readSlice(length: range.count) ?? ByteBuffer())
            case .end(let consumed, let trailers):
                let slice = trailers.isEmpty ? nil : buffer.getSlice(at: buffer.readerIndex + trailers.lowerBound, length: trailers.count)
                buffer.moveReaderIndex(forwardBy: consumed)
                return .end(trailers: slice)
            case .tunnel(let range):
                buffer.moveReaderIndex(forwardBy: range.lowerBound)
                return .tunnel(buffer.readSlice(length: range.count) ?? ByteBuffer())
            case .paused:
                return nil
            }
        }
    }
}
