public import NIOCore

/// What a proxy forwards of a chunked message's trailer section.
///
/// RFC 9110 §6.5.1 forbids a sender to put fields in a trailer that frame, route or control
/// the message, and a recipient to merge trailers into the header section unless the field
/// allows it — but next hops exist that merge them anyway, so a `Content-Length`, `Host` or
/// `Transfer-Encoding` passed on in a trailer could change how such a server frames or routes
/// the request after the proxy has decided. Those fields, and the hop-by-hop ones, are dropped.
public enum HTTPTrailerFilter {
    /// Lower-case names never forwarded in a trailer section.
    static let dropped: [[UInt8]] = [
        "content-length", "transfer-encoding", "host", "connection", "keep-alive", "proxy-connection",
        "te", "trailer", "upgrade", "expect", "content-encoding", "content-type", "content-range",
        "authorization", "proxy-authorization", "proxy-authenticate", "set-cookie", "cookie",
    ].map { Array($0.utf8) }

    /// `trailers` (complete field lines, each ending in CRLF, as `HTTPInboundPart.end`
    /// delivers them) without the dropped fields; `nil` when nothing is left.
    public static func forwardable(_ trailers: ByteBuffer?) -> ByteBuffer? {
        guard let trailers, trailers.readableBytes > 0 else { return nil }
        var kept = ByteBufferAllocator().buffer(capacity: trailers.readableBytes)
        var dropsAny = false
        trailers.withUnsafeReadableBytes { raw in
            var lineStart = 0
            while lineStart < raw.count {
                var lineEnd = lineStart
                while lineEnd < raw.count && raw[lineEnd] != 0x0A { lineEnd += 1 }
                lineEnd = min(lineEnd + 1, raw.count)
                var nameEnd = lineStart
                while nameEnd < lineEnd && raw[nameEnd] != UInt8(ascii: ":") { nameEnd += 1 }
                let name = raw[lineStart..<nameEnd]
                let drop = dropped.contains { candidate in
                    candidate.count == name.count && zip(candidate, name).allSatisfy { $0 == ByteClass.lower($1) }
                }
                if drop {
                    dropsAny = true
                } else {
                    kept.writeBytes(UnsafeRawBufferPointer(rebasing: raw[lineStart..<lineEnd]))
                }
                lineStart = lineEnd
            }
        }
        guard dropsAny else { return trailers }
        return kept.readableBytes > 0 ? kept : nil
    }
}
