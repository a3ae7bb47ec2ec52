public import NIOCore

/// Writes message heads: a parsed head with edits applied (forwarding, without re-parsing),
/// or a head built from fields.
///
/// Forwarding copies runs of kept field lines as they arrived — one copy per run, not per
/// field — so a head with no removals is two copies (start line + fields, then additions).
public enum HTTPHeadSerializer {
    /// Writes `head`, parsed from `source`, with `edits` applied, into `buffer`.
    public static func write(
        _ head: HTTPHead, from source: UnsafeRawBufferPointer, edits: HTTPHeaderEdits, into buffer: inout ByteBuffer
    ) {
        guard let p = source.baseAddress else { return }
        let fields = head.fields
        let start = head.startLineRange.lowerBound
        let fieldsEnd = head.length - 2
        // Start line, CRLF, and then runs of kept field lines, copied as they are.
        var runStart = start
        var runEnd = fields.first.map { Int($0.nameStart) } ?? fieldsEnd
        let namedByConnection = edits.removeHopByHop && head.connection.contains(.other)
        var canonicalFraming = false
        if edits.removeHopByHop, case .contentLength = head.framing { canonicalFraming = true }
        if edits.removeHopByHop, case .chunked = head.framing { canonicalFraming = true }
        for (index, field) in fields.enumerated() {
            let lineEnd = index + 1 < fields.count ? Int(fields[index + 1].nameStart) : fieldsEnd
            let isFraming = field.known == .contentLength || field.known == .transferEncoding
            if !(canonicalFraming && isFraming) && keeps(field, p, edits: edits, head: head, namedByConnection: namedByConnection) {
                runEnd = lineEnd  // lines are contiguous: a kept line extends the run
            } else {
                if runEnd > runStart {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: p + runStart, count: runEnd - runStart))
                }
                runStart = lineEnd
                runEnd = lineEnd
            }
        }
        if runEnd > runStart {
            buffer.writeBytes(UnsafeRawBufferPointer(start: p + runStart, count: runEnd - runStart))
        }
        for addition in edits.additions {
            writeField(name: addition.name, value: addition.value, into: &buffer)
        }
        if canonicalFraming { writeCanonicalFraming(head, p, into: &buffer) }
        buffer.writeStaticString("\r\n")
    }

    /// Forwarding re-emits the framing we parsed as one canonical field instead of copying the
    /// client's lines: `Content-Length: 010` goes on as `Content-Length: 10`, and
    /// `Transfer-Encoding: ,chunked` plus an empty second `Transfer-Encoding` as
    /// `Transfer-Encoding: chunked`. A next hop that reads leading zeros as octal, or only the
    /// last of several fields, then cannot frame the body differently from us (smuggling).
    private static func writeCanonicalFraming(_ head: HTTPHead, _ p: UnsafeRawPointer, into buffer: inout ByteBuffer) {
        switch head.framing {
        case .contentLength(let length):
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(length))
            buffer.writeStaticString("\r\n")
        case .chunked:
            // Every coding, in order, without empty list elements or extra whitespace; the
            // parser has made sure the last one is `chunked`.
            buffer.writeStaticString("Transfer-Encoding: ")
            var first = true
            for field in head.fields where field.known == .transferEncoding {
                ListScanner.forEachElement(p, field.valueRange) { start, end in
                    if !first { buffer.writeStaticString(", ") }
                    first = false
                    buffer.writeBytes(UnsafeRawBufferPointer(start: p + start, count: end - start))
                }
            }
            buffer.writeStaticString("\r\n")
        case .none, .untilClose, .tunnel:
            break
        }
    }

    @inline(__always)
    private static func keeps(
        _ field: HTTPField, _ p: UnsafeRawPointer, edits: HTTPHeaderEdits, head: HTTPHead, namedByConnection: Bool
    ) -> Bool {
        if edits.removeHopByHop && field.known.isHopByHop { return false }
        for name in edits.removals where ASCII.equalsIgnoringCase(p, field.nameRange, name) { return false }
        if namedByConnection && isNamedByConnection(field, p, head: head) { return false }
        return true
    }

    /// RFC 9110 §7.6.1: fields named in Connection are hop-by-hop for this connection.
    private static func isNamedByConnection(_ field: HTTPField, _ p: UnsafeRawPointer, head: HTTPHead) -> Bool {
        let name = field.nameRange
        var found = false
        for connection in head.fields where connection.known == .connection {
            ListScanner.forEachElement(p, connection.valueRange) { start, end in
                guard !found, end - start == name.count else { return }
                var equal = true
                for k in 0..<name.count
                where ByteClass.lower(p.load(fromByteOffset: start + k, as: UInt8.self))
                    != ByteClass.lower(p.load(fromByteOffset: name.lowerBound + k, as: UInt8.self))
                {
                    equal = false
                    break
                }
                found = equal
            }
        }
        return found
    }

    static func writeField(name: String, value: String, into buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    /// Writes a request head from parts. `framing` adds Content-Length or
    /// `Transfer-Encoding: chunked`; do not pass those fields yourself.
    public static func writeRequestHead(
        method: String, target: String, version: HTTPVersion = .http1_1, fields: [(name: String, value: String)],
        framing: HTTPBodyFraming, into buffer: inout ByteBuffer
    ) throws(HTTPHeaderEdits.Error) {
        var edits = HTTPHeaderEdits(removeHopByHop: false)
        for field in fields { try edits.add(field.name, field.value) }
        guard !method.isEmpty, method.utf8.allSatisfy(ByteClass.isTokenChar) else { throw .invalidName(method) }
        guard !target.isEmpty, target.utf8.allSatisfy(ByteClass.isTargetChar) else { throw .invalidValue(name: ":target") }
        buffer.writeString(method)
        buffer.writeStaticString(" ")
        buffer.writeString(target)
        buffer.writeStaticString(version == .http1_1 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n")
        writeFieldsAndFraming(edits, framing, into: &buffer)
    }

    /// Writes a response head from parts. `framing` adds Content-Length or
    /// `Transfer-Encoding: chunked`; do not pass those fields yourself.
    public static func writeResponseHead(
        status: Int, reason: String, version: HTTPVersion = .http1_1, fields: [(name: String, value: String)],
        framing: HTTPBodyFraming, into buffer: inout ByteBuffer
    ) throws(HTTPHeaderEdits.Error) {
        var edits = HTTPHeaderEdits(removeHopByHop: false)
        for field in fields { try edits.add(field.name, field.value) }
        buffer.writeStaticString(version == .http1_1 ? "HTTP/1.1 " : "HTTP/1.0 ")
        buffer.writeString(String(min(max(status, 100), 999)))
        buffer.writeStaticString(" ")
        buffer.writeBytes(reason.utf8.filter(ByteClass.isFieldValueChar))
        buffer.writeStaticString("\r\n")
        writeFieldsAndFraming(edits, framing, into: &buffer)
    }

    private static func writeFieldsAndFraming(_ edits: HTTPHeaderEdits, _ framing: HTTPBodyFraming, into buffer: inout ByteBuffer) {
        for addition in edits.additions { writeField(name: addition.name, value: addition.value, into: &buffer) }
        switch framing {
        case .contentLength(let length):
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(length))
            buffer.writeStaticString("\r\n")
        case .chunked:
            buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
        case .none, .untilClose, .tunnel:
            break
        }
        buffer.writeStaticString("\r\n")
    }
}
