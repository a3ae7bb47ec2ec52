import COpenSSL

/// The thread-local OpenSSL error queue, read into text. Every OpenSSL call site clears it
/// first (``clear()``) so that a failure never reports a stale error from an earlier call on
/// the same thread — event loop threads are shared by many connections.
enum OpenSSLErrorQueue {
    /// Drops whatever is queued on this thread.
    static func clear() {
        ERR_clear_error()
    }

    /// Drains the queue into one line, oldest first, e.g.
    /// `error:0A000102:SSL routines::unsupported protocol`. Empty queue: `fallback`.
    static func drain(fallback: String = "unknown OpenSSL error") -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let end = buffer.firstIndex(of: 0) ?? buffer.count
            parts.append(String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.isEmpty ? fallback : parts.joined(separator: "; ")
    }
}
