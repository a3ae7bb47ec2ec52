/// Scans one line of a header or trailer section (RFC 9112 §5): a field line, or the empty
/// line that ends the section. Shared by `HTTPHeadParser` and `ChunkedBodyDecoder` so the
/// same bytes are judged the same way in a head and in trailers.
///
/// The scan looks only at bytes before `end` and reports `.needMore` when the line is not
/// complete there, so a caller can come back with more bytes and rescan from the same start:
/// the outcome depends only on the bytes, never on how they were split.
enum FieldLineScanner {
    /// What one line turned out to be.
    enum Line {
        /// The line is not complete before `end`.
        case needMore
        /// The empty line: the section ends; the next message byte is at `next`.
        case endOfSection(next: Int)
        /// A field line; the next line starts at `next`.
        case field(nameStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int, next: Int)
    }

    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let colon: UInt8 = 0x3A

    /// Scans the line starting at `start`. `firstLine` makes leading whitespace mean
    /// "whitespace after the start line" instead of obs-fold (RFC 9112 §2.2 vs §5.2).
    @inline(__always)
    static func scan(
        _ p: UnsafeRawPointer, from start: Int, end: Int, firstLine: Bool
    ) throws(HTTPParseError) -> Line {
        var i = start
        guard i < end else { return .needMore }
        let first = p.load(fromByteOffset: i, as: UInt8.self)
        if first == cr {
            guard i + 1 < end else { return .needMore }
            if p.load(fromByteOffset: i + 1, as: UInt8.self) == lf { return .endOfSection(next: i + 2) }
            throw HTTPParseError(.bareCR, offset: i)
        }
        if first == lf { throw HTTPParseError(.bareLF, offset: i) }
        if ByteClass.isWhitespace(first) {
            // RFC 9112 §2.2: whitespace before the first field line must be rejected or the line
            // skipped; §5.2: obs-fold is rejected (400) by a server. We reject both: a proxy that
            // unfolds or skips while its backend does not is a smuggling hole.
            throw HTTPParseError(firstLine ? .whitespaceAfterStartLine : .obsoleteLineFolding, offset: i)
        }
        // field-name = token (RFC 9110 §5.1)
        while i < end, ByteClass.isTokenChar(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        guard i < end else { return .needMore }
        let stop = p.load(fromByteOffset: i, as: UInt8.self)
        if stop != colon || i == start {
            let name = ASCII.string(p, start, i)
            if i == start { throw HTTPParseError(.invalidFieldName, offset: i, fieldName: name) }
            switch stop {
            case 0x20, 0x09:
                // RFC 9112 §5.1: "No whitespace is allowed between the field name and colon."
                throw HTTPParseError(.whitespaceBeforeColon, offset: i, fieldName: name)
            case cr, lf:
                throw HTTPParseError(.missingColon, offset: i, fieldName: name)
            default:
                throw HTTPParseError(.invalidFieldName, offset: i, fieldName: name)
            }
        }
        let nameEnd = i
        i += 1
        while i < end, ByteClass.isWhitespace(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        let valueStart = i
        // Eight bytes at a time while none is a CTL or DEL (the common case: long cookies).
        i = ByteClass.skipFieldValueWords(p, from: i, end: end)
        while i < end {
            let byte = p.load(fromByteOffset: i, as: UInt8.self)
            if byte == cr { break }
            if !ByteClass.isFieldValueChar(byte) {
                let name = ASCII.string(p, start, nameEnd)
                throw HTTPParseError(byte == lf ? .bareLF : .invalidFieldValue, offset: i, fieldName: name)
            }
            i += 1
        }
        var valueEnd = i
        while valueEnd > valueStart, ByteClass.isWhitespace(p.load(fromByteOffset: valueEnd - 1, as: UInt8.self)) {
            valueEnd -= 1
        }
        guard i + 1 < end else { return .needMore }
        guard p.load(fromByteOffset: i + 1, as: UInt8.self) == lf else {
            throw HTTPParseError(.bareCR, offset: i, fieldName: ASCII.string(p, start, nameEnd))
        }
        return .field(nameStart: start, nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd, next: i + 2)
    }
}
