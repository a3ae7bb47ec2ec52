/// Parses one request or response head from the front of a buffer, picohttpparser style:
/// a function over bytes that answers "need more" or "complete, N bytes", with no callbacks
/// and no allocation once its field table has grown to the size heads usually have.
///
/// Incremental: call `parse(_:)` with all bytes received so far for this message (the same
/// first bytes every time, more appended); it resumes at the first line it has not finished.
/// The outcome (success, or the exact error and offset) depends only on the bytes, never on
/// how they were split — the conformance tests feed every corpus case at every split point.
///
/// Strictness (RFC 9112), each with its own `HTTPParseError.Kind`:
/// - **Line endings: CRLF only.** RFC 9112 §2.2 lets a recipient accept a bare LF; we refuse
///   it (400 `bareLF`), in the head, in chunk framing and in trailers. Reason: this parser sits
///   in front of backends we do not control. A bare LF that we accept but a backend does not
///   (or the reverse) makes the two disagree about where a field or a message ends, which is
///   the raw material of request smuggling (see llhttp's "Missing CR between headers" case).
///   Every current client sends CRLF, so refusing costs nothing. A bare CR is refused (400
///   `bareCR`) as §2.2 requires.
/// - Single SP between start-line elements (§3, §4); whitespace before the colon (§5.1);
///   obs-fold (§5.2) and whitespace before the first field (§2.2); CTLs in names/values.
/// - Host: exactly one in HTTP/1.1 requests, at most one in HTTP/1.0 (§3.2).
/// - Content-Length: plain digits, copies must agree; not together with Transfer-Encoding.
/// - Transfer-Encoding: `chunked` must be final and appear once in a request (else 400),
///   unknown codings 501, not in HTTP/1.0 requests; in a response, a non-chunked final
///   coding means "read until close" (§6.3 rule 4).
/// - Versions other than 1.0/1.1: 505.
public struct HTTPHeadParser: Sendable {
    /// What `parse(_:)` found.
    public enum Progress: Hashable, Sendable {
        /// The head is not complete yet; call again with more bytes.
        case needMore
        /// The head is complete and `head` describes it; it is `length` bytes long.
        case complete(length: Int)
    }

    private enum Stage: Sendable {
        case leadingEmptyLines
        case startLine
        case fields
    }

    /// The limits enforced.
    public var limits: HTTPParserLimits
    /// The head parsed so far; complete after `parse` returned `.complete`.
    public private(set) var head: HTTPHead
    /// For responses: the method of the request being answered, which decides the framing of
    /// responses to HEAD and CONNECT (RFC 9112 §6.3 rules 1 and 2).
    public var requestMethod: HTTPMethod = .get

    private var stage: Stage = .leadingEmptyLines
    private var resumeAt = 0
    private var contentLength: Int? = nil
    private var contentLengthOffset = 0
    private var transferEncodingOffset: Int? = nil
    private var hasUpgradeField = false
    private var expectsContinue = false

    /// Creates a parser for requests (server side) or responses (client side).
    public init(kind: HTTPMessageKind, limits: HTTPParserLimits = .default) {
        self.limits = limits
        self.head = HTTPHead(kind: kind)
    }

    /// Request or response.
    public var kind: HTTPMessageKind { head.kind }

    /// Forgets the current message so the next `parse` starts a new head; keeps the field
    /// table's capacity (no allocation in steady state).
    public mutating func reset() {
        head.reset()
        stage = .leadingEmptyLines
        resumeAt = 0
        contentLength = nil
        contentLengthOffset = 0
        transferEncodingOffset = nil
        hasUpgradeField = false
        expectsContinue = false
    }

    /// Parses the head at the start of `bytes`. See the type's documentation.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Progress {
        guard let p = bytes.baseAddress, bytes.count > resumeAt else { return .needMore }
        let sectionCap = limits.maxHeaderSectionSize
        let end = min(bytes.count, sectionCap)
        let atCap = bytes.count >= sectionCap

        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
        if stage == .leadingEmptyLines {
            var i = resumeAt
            while i < end {
                let byte = p.load(fromByteOffset: i, as: UInt8.self)
                if byte == FieldLineScanner.lf { throw HTTPParseError(.bareLF, offset: i) }
                guard byte == FieldLineScanner.cr else { break }
                guard i + 1 < end else { break }
                guard p.load(fromByteOffset: i + 1, as: UInt8.self) == FieldLineScanner.lf else {
                    throw HTTPParseError(.bareCR, offset: i)
                }
                i += 2
            }
            resumeAt = i
            guard i < end, !(p.load(fromByteOffset: i, as: UInt8.self) == FieldLineScanner.cr && i + 1 >= end) else {
                return try ranOut(atCap: atCap, sectionCap: sectionCap)
            }
            stage = .startLine
        }

        if stage == .startLine {
            let next: Int?
            switch head.kind {
            case .request: next = try parseRequestLine(p, from: resumeAt, end: end, atCap: atCap)
            case .response: next = try parseStatusLine(p, from: resumeAt, end: end, atCap: atCap)
            }
            guard let next else { return try ranOut(atCap: atCap, sectionCap: sectionCap) }
            resumeAt = next
            stage = .fields
        }

        while true {
            let line = try FieldLineScanner.scan(p, from: resumeAt, end: end, firstLine: head.fields.isEmpty)
            switch line {
            case .needMore:
                return try ranOut(atCap: atCap, sectionCap: sectionCap)
            case .endOfSection(let next):
                head.length = next
                try finish(p, endOfHead: next)
                return .complete(length: next)
            case .field(let nameStart, let nameEnd, let valueStart, let valueEnd, let next):
                if head.fields.count >= limits.maxFieldCount {
                    throw HTTPParseError(.tooManyFields, offset: resumeAt)
                }
                let known = HTTPKnownField.classify(p, nameStart, nameEnd)
                let field = HTTPField(
                    nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd, known: known)
                if known != .other { try note(field, p) }
                head.fields.append(field)
                resumeAt = next
            }
        }
    }

    @inline(__always)
    private func ranOut(atCap: Bool, sectionCap: Int) throws(HTTPParseError) -> Progress {
        if atCap { throw HTTPParseError(.headerSectionTooLarge, offset: sectionCap) }
        return .needMore
    }

    // MARK: Start lines

    /// request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
    /// Returns the offset after the CRLF, or nil when more bytes are needed.
    private mutating func parseRequestLine(
        _ p: UnsafeRawPointer, from start: Int, end sectionEnd: Int, atCap: Bool
    ) throws(HTTPParseError) -> Int? {
        let lineCap = start + limits.maxStartLineLength + 2
        let end = min(sectionEnd, lineCap)
        func ranOut() throws(HTTPParseError) -> Int? {
            if end == lineCap { throw HTTPParseError(.startLineTooLong, offset: start + limits.maxStartLineLength) }
            return nil
        }
        var i = start
        while i < end, ByteClass.isTokenChar(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        guard i < end else { return try ranOut() }
        if i == start || p.load(fromByteOffset: i, as: UInt8.self) != 0x20 {
            throw HTTPParseError(.invalidMethod, offset: i)
        }
        let methodEnd = i
        i += 1
        let targetStart = i
        i = ByteClass.skipTargetWords(p, from: i, end: end)
        while i < end, ByteClass.isTargetChar(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        guard i < end else { return try ranOut() }
        let afterTarget = p.load(fromByteOffset: i, as: UInt8.self)
        if afterTarget != 0x20 {
            // CR/LF here is an HTTP/0.9 request line without version: not supported.
            throw HTTPParseError(
                afterTarget == FieldLineScanner.cr || afterTarget == FieldLineScanner.lf ? .invalidStartLine : .invalidRequestTarget,
                offset: i)
        }
        if i == targetStart { throw HTTPParseError(.invalidRequestTarget, offset: i) }
        let targetEnd = i
        let method = HTTPMethod.classify(UnsafeRawBufferPointer(start: p, count: targetEnd), start, methodEnd)
        try checkTargetForm(p, targetStart, targetEnd, method: method)
        i += 1
        guard let afterVersion = try parseVersion(p, at: i, end: end) else { return try ranOut() }
        i = afterVersion
        guard i < end else { return try ranOut() }
        let byte = p.load(fromByteOffset: i, as: UInt8.self)
        if byte == FieldLineScanner.lf { throw HTTPParseError(.bareLF, offset: i) }
        if byte != FieldLineScanner.cr { throw HTTPParseError(.invalidStartLine, offset: i) }
        guard i + 1 < end else { return try ranOut() }
        if p.load(fromByteOffset: i + 1, as: UInt8.self) != FieldLineScanner.lf { throw HTTPParseError(.bareCR, offset: i) }
        head.method = method
        head.methodRange = start..<methodEnd
        head.targetRange = targetStart..<targetEnd
        head.startLineRange = start..<i
        return i + 2
    }

    /// RFC 9112 §3.2: origin-form for most methods, authority-form only for CONNECT,
    /// asterisk-form only for OPTIONS, absolute-form (a URI with a scheme) for any.
    private func checkTargetForm(
        _ p: UnsafeRawPointer, _ start: Int, _ end: Int, method: HTTPMethod
    ) throws(HTTPParseError) {
        let first = p.load(fromByteOffset: start, as: UInt8.self)
        if method == .connect {
            // authority-form = uri-host ":" port
            var colon: Int? = nil
            for i in start..<end {
                let byte = p.load(fromByteOffset: i, as: UInt8.self)
                if byte == 0x2F || byte == 0x3F || byte == 0x23 || byte == 0x40 {
                    throw HTTPParseError(.invalidRequestTarget, offset: i)
                }
                if byte == 0x3A { colon = i }
            }
            guard let colon, colon > start, colon + 1 < end else {
                throw HTTPParseError(.invalidRequestTarget, offset: start)
            }
            for i in (colon + 1)..<end where !(0x30...0x39).contains(p.load(fromByteOffset: i, as: UInt8.self)) {
                throw HTTPParseError(.invalidRequestTarget, offset: i)
            }
            return
        }
        if first == 0x2F { return }  // origin-form
        if first == 0x2A {  // asterisk-form
            if end - start == 1 && method == .options { return }
            throw HTTPParseError(.invalidRequestTarget, offset: start)
        }
        // absolute-form: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986 §3.1)
        var i = start
        while i < end {
            let byte = p.load(fromByteOffset: i, as: UInt8.self)
            let isAlpha = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
            if byte == 0x3A && i > start { return }
            let ok = isAlpha || (i > start && ((0x30...0x39).contains(byte) || byte == 0x2B || byte == 0x2D || byte == 0x2E))
            if !ok { break }
            i += 1
        }
        throw HTTPParseError(.invalidRequestTarget, offset: start)
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). Returns the offset after it,
    /// or nil when it is not complete before `end`.
    private mutating func parseVersion(_ p: UnsafeRawPointer, at start: Int, end: Int) throws(HTTPParseError) -> Int? {
        let literal: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0x48, 0x54, 0x54, 0x50, 0x2F)  // "HTTP/"
        var i = start
        for k in 0..<5 {
            guard i < end else { return nil }
            let expected: UInt8
            switch k {
            case 0: expected = literal.0
            case 1: expected = literal.1
            case 2: expected = literal.2
            case 3: expected = literal.3
            default: expected = literal.4
            }
            if p.load(fromByteOffset: i, as: UInt8.self) != expected { throw HTTPParseError(.invalidVersion, offset: i) }
            i += 1
        }
        guard i < end else { return nil }
        let major = p.load(fromByteOffset: i, as: UInt8.self)
        guard (0x30...0x39).contains(major) else { throw HTTPParseError(.invalidVersion, offset: i) }
        i += 1
        guard i < end else { return nil }
        guard p.load(fromByteOffset: i, as: UInt8.self) == 0x2E else { throw HTTPParseError(.invalidVersion, offset: i) }
        i += 1
        guard i < end else { return nil }
        let minor = p.load(fromByteOffset: i, as: UInt8.self)
        guard (0x30...0x39).contains(minor) else { throw HTTPParseError(.invalidVersion, offset: i) }
        i += 1
        switch (major, minor) {
        case (0x31, 0x30): head.version = .http1_0
        case (0x31, 0x31): head.version = .http1_1
        default: throw HTTPParseError(.unsupportedVersion, offset: start)
        }
        return i
    }

    /// status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF (RFC 9112 §4).
    /// The SP before an empty reason is optional here: many servers omit it and it cannot
    /// change framing.
    private mutating func parseStatusLine(
        _ p: UnsafeRawPointer, from start: Int, end sectionEnd: Int, atCap: Bool
    ) throws(HTTPParseError) -> Int? {
        let lineCap = start + limits.maxStartLineLength + 2
        let end = min(sectionEnd, lineCap)
        func ranOut() throws(HTTPParseError) -> Int? {
            if end == lineCap { throw HTTPParseError(.startLineTooLong, offset: start + limits.maxStartLineLength) }
            return nil
        }
        guard var i = try parseVersion(p, at: start, end: end) else { return try ranOut() }
        guard i < end else { return try ranOut() }
        if p.load(fromByteOffset: i, as: UInt8.self) != 0x20 { throw HTTPParseError(.invalidStartLine, offset: i) }
        i += 1
        var status = 0
        for k in 0..<3 {
            guard i < end else { return try ranOut() }
            let digit = p.load(fromByteOffset: i, as: UInt8.self)
            guard (0x30...0x39).contains(digit), k > 0 || digit != 0x30 else {
                throw HTTPParseError(.invalidStatusCode, offset: i)
            }
            status = status * 10 + Int(digit - 0x30)
            i += 1
        }
        guard i < end else { return try ranOut() }
        var reasonStart = i
        let afterStatus = p.load(fromByteOffset: i, as: UInt8.self)
        if afterStatus == 0x20 {
            i += 1
            reasonStart = i
        } else if afterStatus != FieldLineScanner.cr && afterStatus != FieldLineScanner.lf {
            throw HTTPParseError(.invalidStatusCode, offset: i)
        }
        while i < end {
            let byte = p.load(fromByteOffset: i, as: UInt8.self)
            if byte == FieldLineScanner.cr { break }
            if byte == FieldLineScanner.lf { throw HTTPParseError(.bareLF, offset: i) }
            if !ByteClass.isFieldValueChar(byte) { throw HTTPParseError(.invalidReasonPhrase, offset: i) }
            i += 1
        }
        guard i + 1 < end else { return try ranOut() }
        if p.load(fromByteOffset: i + 1, as: UInt8.self) != FieldLineScanner.lf { throw HTTPParseError(.bareCR, offset: i) }
        head.status = status
        head.reasonRange = reasonStart..<i
        head.startLineRange = start..<i
        return i + 2
    }

    // MARK: Field semantics

    /// Checks a field with protocol meaning as soon as its line is complete, so that a
    /// conflicting Content-Length is reported at the field, before the head ends.
    private mutating func note(_ field: HTTPField, _ p: UnsafeRawPointer) throws(HTTPParseError) {
        let value = field.valueRange
        switch field.known {
        case .contentLength:
            if transferEncodingOffset != nil {
                throw HTTPParseError(.transferEncodingWithContentLength, offset: field.nameRange.lowerBound, fieldName: "content-length")
            }
            let parsed = try Self.parseContentLength(p, value)
            if let existing = contentLength, existing != parsed {
                throw HTTPParseError(.conflictingContentLength, offset: value.lowerBound, fieldName: "content-length")
            }
            if contentLength == nil { contentLengthOffset = value.lowerBound }
            contentLength = parsed
        case .transferEncoding:
            if contentLength != nil {
                throw HTTPParseError(.transferEncodingWithContentLength, offset: field.nameRange.lowerBound, fieldName: "transfer-encoding")
            }
            if transferEncodingOffset == nil { transferEncodingOffset = field.nameRange.lowerBound }
        case .host where head.kind == .request:
            if head.hostRange != nil {
                throw HTTPParseError(.multipleHost, offset: field.nameRange.lowerBound, fieldName: "host")
            }
            try Self.checkHost(p, value)
            head.hostRange = value
        case .connection:
            head.connection.formUnion(Self.connectionOptions(p, value))
        case .upgrade:
            hasUpgradeField = true
        case .expect:
            // RFC 9110 §10.1.1: the expectation is case-insensitive.
            if value.count == 12 && ASCII.equalsLower(p, value.lowerBound, "100-continue") { expectsContinue = true }
        default:
            break
        }
    }

    /// Content-Length = 1*DIGIT (RFC 9110 §8.6), at most 18 digits after leading zeros so the
    /// value fits in an Int on every platform this runs on.
    static func parseContentLength(_ p: UnsafeRawPointer, _ range: Range<Int>) throws(HTTPParseError) -> Int {
        guard !range.isEmpty else {
            throw HTTPParseError(.invalidContentLength, offset: range.lowerBound, fieldName: "content-length")
        }
        var value = 0
        for i in range {
            let byte = p.load(fromByteOffset: i, as: UInt8.self)
            guard (0x30...0x39).contains(byte) else {
                throw HTTPParseError(.invalidContentLength, offset: i, fieldName: "content-length")
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(byte - 0x30))
            if o1 || o2 { throw HTTPParseError(.contentLengthOverflow, offset: i, fieldName: "content-length") }
            value = sum
        }
        return value
    }

    /// Host = uri-host [ ":" port ] (RFC 9110 §7.2): reg-name / IPv4 / IP-literal characters
    /// only. Anything that could smuggle a path or a second authority ('/', '@', '?', '#',
    /// whitespace, non-ASCII) is refused. Empty is allowed (RFC 9112 §3.2).
    static func checkHost(_ p: UnsafeRawPointer, _ range: Range<Int>) throws(HTTPParseError) {
        for i in range {
            let byte = p.load(fromByteOffset: i, as: UInt8.self)
            let lower = byte | 0x20
            let ok = (lower >= 0x61 && lower <= 0x7A) || (0x30...0x39).contains(byte)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E || byte == 0x25
                || byte == 0x21 || byte == 0x24 || (0x26...0x2C).contains(byte) || byte == 0x3B || byte == 0x3D
                || byte == 0x3A || byte == 0x5B || byte == 0x5D
            if !ok { throw HTTPParseError(.invalidHost, offset: i, fieldName: "host") }
        }
    }

    /// Connection = #connection-option (RFC 9110 §7.6.1), tokens compared case-insensitively.
    static func connectionOptions(_ p: UnsafeRawPointer, _ range: Range<Int>) -> HTTPConnectionOptions {
        var options: HTTPConnectionOptions = []
        ListScanner.forEachElement(p, range) { start, end in
            switch end - start {
            case 5 where ASCII.equalsLower(p, start, "close"): options.insert(.close)
            case 10 where ASCII.equalsLower(p, start, "keep-alive"): options.insert(.keepAlive)
            case 7 where ASCII.equalsLower(p, start, "upgrade"): options.insert(.upgrade)
            default: options.insert(.other)
            }
        }
        return options
    }

    // MARK: Message semantics

    /// Decides framing, persistence and expectations once the head is complete.
    private mutating func finish(_ p: UnsafeRawPointer, endOfHead: Int) throws(HTTPParseError) {
        let version = head.version
        switch head.kind {
        case .request:
            // RFC 9112 §3.2: "A server MUST respond with a 400 ... to any HTTP/1.1 request
            // message that lacks a Host header field".
            if version == .http1_1 && head.hostRange == nil {
                throw HTTPParseError(.missingHost, offset: endOfHead - 2, fieldName: "host")
            }
            if let teOffset = transferEncodingOffset {
                // RFC 9112 §6.1: TE in HTTP/1.0 means faulty framing.
                if version == .http1_0 {
                    throw HTTPParseError(.transferEncodingInHTTP10, offset: teOffset, fieldName: "transfer-encoding")
                }
                let codings = try transferCodings(p)
                if codings.unknownAt != nil {
                    throw HTTPParseError(.unsupportedTransferCoding, offset: codings.unknownAt ?? teOffset, fieldName: "transfer-encoding")
                }
                guard codings.lastIsChunked, codings.chunkedCount == 1 else {
                    throw HTTPParseError(.chunkedNotFinal, offset: teOffset, fieldName: "transfer-encoding")
                }
                head.framing = .chunked
            } else if let length = contentLength {
                if let max = limits.maxBodySize, length > max {
                    throw HTTPParseError(.bodyTooLarge, offset: contentLengthOffset, fieldName: "content-length")
                }
                head.framing = .contentLength(length)
            } else {
                head.framing = .none
            }
            head.requestsUpgrade = hasUpgradeField && head.connection.contains(.upgrade)
            head.expectsContinue = expectsContinue && version == .http1_1
        case .response:
            let status = head.status
            if requestMethod == .head || (100..<200).contains(status) && status != 101 || status == 204 || status == 304 {
                head.framing = .none
            } else if status == 101 || (requestMethod == .connect && (200..<300).contains(status)) {
                head.framing = .tunnel
            } else if transferEncodingOffset != nil {
                if version == .http1_0 {
                    head.framing = .untilClose
                } else {
                    let codings = try transferCodings(p)
                    head.framing = codings.lastIsChunked && codings.chunkedCount == 1 ? .chunked : .untilClose
                }
            } else if let length = contentLength {
                head.framing = .contentLength(length)
            } else {
                head.framing = .untilClose
            }
        }
        // RFC 9112 §9.3: persistence.
        let close = head.connection.contains(.close)
        var keepAlive = version == .http1_1 ? !close : (head.connection.contains(.keepAlive) && !close)
        if head.framing == .untilClose || head.framing == .tunnel { keepAlive = false }
        head.keepAlive = keepAlive
    }

    private struct TransferCodings {
        var chunkedCount = 0
        var lastIsChunked = false
        var count = 0
        var unknownAt: Int? = nil
    }

    /// Reads every Transfer-Encoding field in order as one list (RFC 9110 §5.3).
    private func transferCodings(_ p: UnsafeRawPointer) throws(HTTPParseError) -> TransferCodings {
        var result = TransferCodings()
        var invalidAt: Int? = nil
        for field in head.fields where field.known == .transferEncoding {
            ListScanner.forEachElement(p, field.valueRange) { start, end in
                // transfer-coding = token *( OWS ";" OWS transfer-parameter )
                var nameEnd = start
                while nameEnd < end, ByteClass.isTokenChar(p.load(fromByteOffset: nameEnd, as: UInt8.self)) { nameEnd += 1 }
                if nameEnd == start || (nameEnd < end && !Self.isParameterStart(p, nameEnd, end)) {
                    if invalidAt == nil { invalidAt = start }
                    return
                }
                result.count += 1
                let isChunked = nameEnd - start == 7 && ASCII.equalsLower(p, start, "chunked")
                if isChunked {
                    result.chunkedCount += 1
                } else if !Self.isKnownCoding(p, start, nameEnd), result.unknownAt == nil {
                    result.unknownAt = start
                }
                result.lastIsChunked = isChunked
            }
        }
        if head.kind == .request {
            if let invalidAt { throw HTTPParseError(.invalidTransferEncoding, offset: invalidAt, fieldName: "transfer-encoding") }
            if result.count == 0 {
                throw HTTPParseError(.invalidTransferEncoding, offset: transferEncodingOffset ?? 0, fieldName: "transfer-encoding")
            }
        } else if invalidAt != nil {
            result.lastIsChunked = false
        }
        return result
    }

    private static func isParameterStart(_ p: UnsafeRawPointer, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end, ByteClass.isWhitespace(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
        return i < end && p.load(fromByteOffset: i, as: UInt8.self) == 0x3B
    }

    /// The codings of the HTTP Transfer Coding registry (RFC 9112 §7, RFC 9110 §8.4.1).
    private static func isKnownCoding(_ p: UnsafeRawPointer, _ start: Int, _ end: Int) -> Bool {
        switch end - start {
        case 4: return ASCII.equalsLower(p, start, "gzip")
        case 6: return ASCII.equalsLower(p, start, "x-gzip")
        case 7: return ASCII.equalsLower(p, start, "deflate")
        case 8: return ASCII.equalsLower(p, start, "compress")
        case 10: return ASCII.equalsLower(p, start, "x-compress")
        default: return false
        }
    }
}

/// Splits a comma-separated list value (RFC 9110 §5.6.1) into elements without OWS; empty
/// elements are skipped, as that section requires of recipients.
enum ListScanner {
    @inline(__always)
    static func forEachElement(_ p: UnsafeRawPointer, _ range: Range<Int>, _ body: (Int, Int) -> Void) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            while i < end, ByteClass.isWhitespace(p.load(fromByteOffset: i, as: UInt8.self)) { i += 1 }
            let start = i
            while i < end, p.load(fromByteOffset: i, as: UInt8.self) != 0x2C { i += 1 }
            var last = i
            while last > start, ByteClass.isWhitespace(p.load(fromByteOffset: last - 1, as: UInt8.self)) { last -= 1 }
            if last > start { body(start, last) }
            i += 1
        }
    }
}
