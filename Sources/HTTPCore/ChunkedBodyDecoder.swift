/// Decodes the chunked transfer coding (RFC 9112 §7.1) over byte buffers, passing the data
/// on as ranges of the input (no copies) and validating the trailer section.
///
/// Same contract as `HTTPHeadParser`: a function over bytes. Each call looks at the bytes the
/// caller still holds (starting with the first byte not yet consumed) and returns one event
/// that says how many of them it consumed. A chunk-size line, a data CRLF or the trailer
/// section is consumed only when complete, so the caller keeps at most one such line (bounded
/// by `HTTPParserLimits`) plus whatever data it has not passed on.
///
/// Strict: the size is 1*HEXDIG and fits in 63 bits; extensions follow the §7.1.1 grammar
/// (`BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ]`) and are bounded by
/// `maxChunkExtensionLength`; lines end in CRLF (no bare LF, see `HTTPHeadParser`); data is
/// followed by exactly CRLF; trailer fields obey the same rules as header fields.
public struct ChunkedBodyDecoder: Sendable {
    /// What one call produced.
    public enum Event: Hashable, Sendable {
        /// Nothing to pass on yet: drop `consumed` framing bytes and call again with more.
        case needMore(consumed: Int)
        /// Body bytes at this range of the input; everything before `upperBound` is consumed.
        case data(Range<Int>)
        /// The last chunk and the trailer section were read. `trailers` is the range of the
        /// trailer field lines (each ending in CRLF), empty when there are none.
        case end(consumed: Int, trailers: Range<Int>)
    }

    private enum State: Hashable, Sendable {
        case size
        case data(remaining: Int)
        case dataCRLF
        case trailers
        case done
    }

    /// The limits enforced.
    public var limits: HTTPParserLimits
    private var state: State = .size
    private var bodySize = 0
    /// Offset of the first byte of the current input from the start of the chunked body,
    /// so errors carry offsets that do not depend on how the body was split.
    private var origin = 0

    /// Creates a decoder positioned at the first chunk-size line.
    public init(limits: HTTPParserLimits = .default) {
        self.limits = limits
    }

    /// True once the last chunk and trailers have been read.
    public var isComplete: Bool { state == .done }

    /// Decodes from the start of `bytes`. Error offsets count from the start of the body.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Event {
        let origin = self.origin
        do {
            return try decodeInBuffer(bytes)
        } catch {
            throw error.shifted(by: origin)
        }
    }

    /// `decode(_:)` with error offsets relative to `bytes` (for `HTTPMessageParser`, which
    /// shifts them to stream offsets itself).
    mutating func decodeInBuffer(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Event {
        let event = try step(bytes)
        switch event {
        case .needMore(let consumed): origin += consumed
        case .data(let range): origin += range.upperBound
        case .end(let consumed, _): origin += consumed
        }
        return event
    }

    /// Checks the framing of the body bytes already received, without consuming them: throws
    /// the error decoding them would throw (offsets relative to `bytes`), returns when they are
    /// all valid so far or the body ends within them.
    ///
    /// Lets a server refuse a request whose chunked body is already known to be malformed
    /// before its head goes anywhere (a proxy must not forward the head of a request it will
    /// answer 400). Works on a copy of the decoder, so it allocates nothing; its cost is one
    /// look at each chunk-size line in `bytes` (data is skipped, not read).
    func validatePrefix(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) {
        var probe = self
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let event: Event
            do {
                event = try probe.step(rest)
            } catch {
                throw error.shifted(by: offset)
            }
            switch event {
            case .needMore, .end: return
            case .data(let range): offset += range.upperBound
            }
        }
    }

    private mutating func step(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Event {
        guard let p = bytes.baseAddress else { return .needMore(consumed: 0) }
        let end = bytes.count
        var i = 0
        while true {
            switch state {
            case .size:
                guard let (size, next) = try parseSizeLine(p, from: i, end: end) else { return .needMore(consumed: i) }
                i = next
                if size == 0 {
                    state = .trailers
                } else {
                    let (total, overflow) = bodySize.addingReportingOverflow(size)
                    if overflow || (limits.maxBodySize.map { total > $0 } ?? false) {
                        throw HTTPParseError(.bodyTooLarge, offset: next)
                    }
                    bodySize = total
                    state = .data(remaining: size)
                }
            case .data(let remaining):
                guard i < end else { return .needMore(consumed: i) }
                let take = min(remaining, end - i)
                state = remaining == take ? .dataCRLF : .data(remaining: remaining - take)
                return .data(i..<(i + take))
            case .dataCRLF:
                guard i < end else { return .needMore(consumed: i) }
                guard p.load(fromByteOffset: i, as: UInt8.self) == FieldLineScanner.cr else {
                    throw HTTPParseError(.invalidChunkTerminator, offset: i)
                }
                guard i + 1 < end else { return .needMore(consumed: i) }
                guard p.load(fromByteOffset: i + 1, as: UInt8.self) == FieldLineScanner.lf else {
                    throw HTTPParseError(.invalidChunkTerminator, offset: i + 1)
                }
                i += 2
                state = .size
            case .trailers:
                // trailer-section = *( field-line CRLF ) CRLF (RFC 9112 §7.1.2), bounded like a head.
                let cap = i + limits.maxHeaderSectionSize
                let scanEnd = min(end, cap)
                var line = i
                var count = 0
                while true {
                    switch try FieldLineScanner.scan(p, from: line, end: scanEnd, firstLine: false) {
                    case .needMore:
                        if end >= cap { throw HTTPParseError(.trailerSectionTooLarge, offset: cap) }
                        return .needMore(consumed: i)
                    case .endOfSection(let next):
                        state = .done
                        return .end(consumed: next, trailers: i..<line)
                    case .field(_, _, _, _, let next):
                        count += 1
                        if count > limits.maxFieldCount { throw HTTPParseError(.tooManyFields, offset: line) }
                        line = next
                    }
                }
            case .done:
                return .end(consumed: i, trailers: i..<i)
            }
        }
    }

    /// chunk-size [ chunk-ext ] CRLF. Returns (size, offset after CRLF), or nil when the line
    /// is not complete.
    private func parseSizeLine(_ p: UnsafeRawPointer, from start: Int, end: Int) throws(HTTPParseError) -> (Int, Int)? {
        var i = start
        var size = 0
        var significant = 0
        while i < end, let digit = ByteClass.hexValue(p.load(fromByteOffset: i, as: UInt8.self)) {
            if size != 0 || digit != 0 { significant += 1 }
            // 15 hex digits = 60 bits: always fits in an Int; 16 would not for every value.
            if significant > 15 || i - start >= 64 { throw HTTPParseError(.chunkSizeOverflow, offset: i) }
            size = size << 4 | Int(digit)
            i += 1
        }
        guard i < end else { return nil }
        if i == start { throw HTTPParseError(.invalidChunkSize, offset: i) }
        let extensionStart = i
        let extensionCap = extensionStart + limits.maxChunkExtensionLength
        // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
        while true {
            if i > extensionCap { throw HTTPParseError(.chunkExtensionTooLong, offset: extensionCap) }
            guard i < end else { return nil }
            var byte = p.load(fromByteOffset: i, as: UInt8.self)
            if byte == FieldLineScanner.cr { break }
            if byte == FieldLineScanner.lf { throw HTTPParseError(.bareLF, offset: i) }
            let wsStart = i
            while ByteClass.isWhitespace(byte) {
                i += 1
                guard i < end, i <= extensionCap else { return try ranOut(i, extensionCap) }
                byte = p.load(fromByteOffset: i, as: UInt8.self)
            }
            guard byte == 0x3B else {
                // Whitespace or anything else after the size without a ';' (llhttp strict does the same).
                throw HTTPParseError(wsStart == extensionStart ? .invalidChunkSize : .invalidChunkExtension, offset: i)
            }
            i += 1
            i = try skipWhitespace(p, i, end, extensionCap)
            guard i < end else { return nil }
            let nameStart = i
            while i < end, i <= extensionCap, ByteClass.isTokenChar(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
            guard i < end, i <= extensionCap else { return try ranOut(i, extensionCap) }
            if i == nameStart { throw HTTPParseError(.invalidChunkExtension, offset: i) }
            let afterName = i
            i = try skipWhitespace(p, i, end, extensionCap)
            guard i < end else { return nil }
            if p.load(fromByteOffset: i, as: UInt8.self) == 0x3D {  // '='
                i = try skipWhitespace(p, i + 1, end, extensionCap)
                guard i < end else { return nil }
                i = try parseExtensionValue(p, i, end, extensionCap)
            } else if i != afterName {
                // BWS after a name is only allowed before '=' (or a following ';').
                let next = p.load(fromByteOffset: i, as: UInt8.self)
                if next != 0x3B { throw HTTPParseError(.invalidChunkExtension, offset: afterName) }
            }
        }
        guard i + 1 < end else { return nil }
        guard p.load(fromByteOffset: i + 1, as: UInt8.self) == FieldLineScanner.lf else {
            throw HTTPParseError(.bareCR, offset: i)
        }
        return (size, i + 2)
    }

    private func ranOut(_ i: Int, _ cap: Int) throws(HTTPParseError) -> (Int, Int)? {
        if i > cap { throw HTTPParseError(.chunkExtensionTooLong, offset: cap) }
        return nil
    }

    private func skipWhitespace(_ p: UnsafeRawPointer, _ start: Int, _ end: Int, _ cap: Int) throws(HTTPParseError) -> Int {
        var i = start
        while i < end, ByteClass.isWhitespace(p.load(fromByteOffset: i, as: UInt8.self)) {
            i += 1
            if i > cap { throw HTTPParseError(.chunkExtensionTooLong, offset: cap) }
        }
        return i
    }

    /// chunk-ext-val = token / quoted-string (RFC 9110 §5.6.4). Returns the offset after it,
    /// or `end` when it runs out (the caller then reports "need more").
    private func parseExtensionValue(_ p: UnsafeRawPointer, _ start: Int, _ end: Int, _ cap: Int) throws(HTTPParseError) -> Int {
        var i = start
        let first = p.load(fromByteOffset: i, as: UInt8.self)
        if first == 0x22 {
            i += 1
            while i < end {
                if i > cap { throw HTTPParseError(.chunkExtensionTooLong, offset: cap) }
                let byte = p.load(fromByteOffset: i, as: UInt8.self)
                if byte == 0x22 { return i + 1 }
                if byte == 0x5C {  // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    // Never look past the cap: the verdict must not depend on how much arrived.
                    if i + 1 > cap { throw HTTPParseError(.chunkExtensionTooLong, offset: cap) }
                    guard i + 1 < end else { return end }
                    let escaped = p.load(fromByteOffset: i + 1, as: UInt8.self)
                    guard ByteClass.isFieldValueChar(escaped) else { throw HTTPParseError(.invalidChunkExtension, offset: i + 1) }
                    i += 2
                    continue
                }
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                guard ByteClass.isFieldValueChar(byte) else { throw HTTPParseError(.invalidChunkExtension, offset: i) }
                i += 1
            }
            return end
        }
        while i < end, i <= cap, ByteClass.isTokenChar(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        if i > cap { throw HTTPParseError(.chunkExtensionTooLong, offset: cap) }
        if i == start { throw HTTPParseError(.invalidChunkExtension, offset: i) }
        return i
    }
}
