public import NIOCore

/// Writes the chunked transfer coding (RFC 9112 §7.1). The data itself is never copied by
/// the codec: it writes `chunkHeader`, the caller's buffer, then `chunkTrailer` as three
/// buffers (one gathering write).
public enum ChunkedBodyEncoder {
    /// Writes `size` in hex followed by CRLF: the line before a chunk's data. Writes nothing
    /// for `size <= 0`, since a zero-size chunk would end the body (use `writeLastChunk`).
    public static func writeChunkHeader(size: Int, into buffer: inout ByteBuffer) {
        guard size > 0 else { return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var value = UInt64(size)
        withUnsafeMutableBytes(of: &digits) { raw in
            while value > 0 {
                let nibble = UInt8(value & 0xF)
                raw[15 - count] = nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
                value >>= 4
                count += 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(16 - count)...]))
        }
        buffer.writeStaticString("\r\n")
    }

    /// Writes the CRLF that follows a chunk's data.
    public static func writeChunkTrailer(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("\r\n")
    }

    /// Writes one whole chunk (header, a copy of `data`, CRLF). Empty data writes nothing,
    /// because an empty chunk would end the body.
    public static func writeChunk(_ data: ByteBuffer, into buffer: inout ByteBuffer) {
        guard data.readableBytes > 0 else { return }
        writeChunkHeader(size: data.readableBytes, into: &buffer)
        var data = data
        buffer.writeBuffer(&data)
        writeChunkTrailer(into: &buffer)
    }

    /// Writes the last chunk, the trailer field lines (as `HTTPInboundPart.end` delivers them:
    /// complete lines, each ending in CRLF) and the final CRLF.
    public static func writeLastChunk(trailers: ByteBuffer?, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("0\r\n")
        if var trailers { buffer.writeBuffer(&trailers) }
        buffer.writeStaticString("\r\n")
    }
}
