import NIOCore

/// Writes outbound body parts with the framing of their head: chunk-encoded for chunked
/// bodies (header, the caller's buffer untouched, CRLF), as-is otherwise.
enum HTTPBodyWriter {
    static let crlf: ByteBuffer = ByteBuffer(staticString: "\r\n")

    static func writeBody(
        _ data: ByteBuffer, framing: HTTPBodyFraming, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?
    ) {
        guard framing == .chunked else {
            context.write(NIOAny(data), promise: promise)
            return
        }
        guard data.readableBytes > 0 else {
            // An empty chunk would end the body: write nothing, but keep the promise's order.
            context.write(NIOAny(data), promise: promise)
            return
        }
        var header = context.channel.allocator.buffer(capacity: 18)
        ChunkedBodyEncoder.writeChunkHeader(size: data.readableBytes, into: &header)
        context.write(NIOAny(header), promise: nil)
        context.write(NIOAny(data), promise: nil)
        context.write(NIOAny(crlf), promise: promise)
    }

    static func writeEnd(
        trailers: ByteBuffer?, framing: HTTPBodyFraming, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?
    ) {
        var buffer = context.channel.allocator.buffer(capacity: framing == .chunked ? 5 + (trailers?.readableBytes ?? 0) : 0)
        if framing == .chunked { ChunkedBodyEncoder.writeLastChunk(trailers: trailers, into: &buffer) }
        context.write(NIOAny(buffer), promise: promise)
    }
}
