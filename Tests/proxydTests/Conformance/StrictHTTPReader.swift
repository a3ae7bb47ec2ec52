/// A deliberately small, independent HTTP/1.1 framing reader for the smuggling harness.
///
/// It shares no code with HTTPCore on purpose: it is the judge of what proxyd forwards, so a
/// parser bug in proxyd cannot hide itself by being repeated here. It is strict RFC 9112
/// with no leniency at all — every line ends in CRLF, no obs-fold, no CTL in a field value,
/// one Content-Length of plain digits or `Transfer-Encoding: chunked` and never both, chunk
/// sizes of hex digits only — and it reads the same rules two ways:
/// - `.normalised` for what arrives at the backend: additionally no chunk extensions and
///   exactly `chunked` as the transfer coding, the form a proxy should re-emit;
/// - `.received` for what a client sent: RFC 9112 as written (chunk extensions allowed), the
///   oracle for "the requests these bytes unambiguously contain".
enum StrictHTTPReader {
    enum Mode { case normalised, received }

    struct Request: Equatable {
        var method: String
        var target: String
        var version: String
        var fields: [(name: String, value: [UInt8])]
        var body: [UInt8]
        var chunked: Bool

        func values(_ name: String) -> [[UInt8]] {
            fields.filter { $0.name.lowercased() == name }.map(\.value)
        }

        static func == (a: Request, b: Request) -> Bool {
            a.method == b.method && a.target == b.target && a.version == b.version && a.body == b.body
                && a.chunked == b.chunked && a.fields.map(\.name) == b.fields.map(\.name)
                && a.fields.map(\.value) == b.fields.map(\.value)
        }
    }

    enum Outcome {
        /// A whole request and the bytes it took.
        case complete(Request, consumed: Int)
        /// The bytes so far are a valid prefix; `headComplete` when only body bytes are missing.
        case incomplete(headComplete: Bool)
        /// Not a request under these rules (the reason, for the report).
        case invalid(String)
    }

    // MARK: Character classes (RFC 9110 §5.6.2, §5.5)

    static let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)

    static func isTChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: tokenSymbols.contains(b)
        }
    }
    static func isHex(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }
    /// field-vchar / SP / HTAB: anything but CTLs (HTAB allowed) and DEL.
    static func isFieldValueByte(_ b: UInt8) -> Bool { b == 0x09 || (b >= 0x20 && b != 0x7F) }

    // MARK: Lines

    /// The next CRLF-terminated line starting at `start`: `nil` when no CRLF yet (incomplete),
    /// `.failure` for a bare CR or LF inside it.
    static func line(_ bytes: [UInt8], _ start: Int) -> Result<(line: ArraySlice<UInt8>, next: Int), LineError>? {
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case 0x0A: return .failure(.bareLF)
            case 0x0D:
                guard i + 1 < bytes.count else { return nil }
                guard bytes[i + 1] == 0x0A else { return .failure(.bareCR) }
                return .success((bytes[start..<i], i + 2))
            default: i += 1
            }
        }
        return nil
    }
    enum LineError: Error { case bareCR, bareLF }

    // MARK: Requests

    static func readRequest(_ bytes: [UInt8], from start: Int = 0, mode: Mode) -> Outcome {
        // Request line.
        guard let first = line(bytes, start) else { return .incomplete(headComplete: false) }
        guard case .success(let (requestLine, afterLine)) = first else { return .invalid("bare CR/LF in the request line") }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .invalid("request line is not METHOD SP TARGET SP VERSION") }
        guard !parts[0].isEmpty, parts[0].allSatisfy(isTChar) else { return .invalid("method is not a token") }
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .invalid("request target has a CTL, space or non-ASCII byte") }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .invalid("version is not HTTP/1.1 or HTTP/1.0") }
        var request = Request(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
            version: version, fields: [], body: [], chunked: false)

        // Field lines.
        var index = afterLine
        switch readFields(bytes, &index) {
        case .incomplete: return .incomplete(headComplete: false)
        case .invalid(let reason): return .invalid(reason)
        case .fields(let fields): request.fields = fields
        }

        // Framing (RFC 9112 §6.1–6.3), strictly.
        let lengths = request.values("content-length")
        let codings = request.values("transfer-encoding")
        if !lengths.isEmpty && !codings.isEmpty { return .invalid("both Content-Length and Transfer-Encoding") }
        if lengths.count > 1 { return .invalid("more than one Content-Length field") }
        let hosts = request.values("host")
        if version == "HTTP/1.1" && hosts.count != 1 { return .invalid("HTTP/1.1 request without exactly one Host") }
        if let length = lengths.first {
            guard !length.isEmpty, length.count <= 15, length.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return .invalid("Content-Length is not plain digits")
            }
            if mode == .normalised && length.count > 1 && length.first == UInt8(ascii: "0") {
                return .invalid("Content-Length with leading zeros forwarded")
            }
            let count = Int(String(decoding: length, as: UTF8.self)) ?? 0
            guard bytes.count - index >= count else { return .incomplete(headComplete: true) }
            request.body = Array(bytes[index..<index + count])
            return .complete(request, consumed: index + count - start)
        }
        if !codings.isEmpty {
            switch mode {
            case .normalised:
                // One field, codings separated by ", ", no empty elements, chunked last.
                guard codings.count == 1, let value = String(validating: codings[0], as: UTF8.self),
                      value.lowercased() == "chunked" || value.lowercased().hasSuffix(", chunked"),
                      value.components(separatedBy: ", ").allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isTChar) })
                else { return .invalid("Transfer-Encoding is not one canonical field ending in 'chunked'") }
            case .received:
                // RFC 9110 §5.6.1.2: a list; empty elements are ignored. chunked must be last, once.
                let elements = codings.flatMap { $0.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) }
                    .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() }
                    .filter { !$0.isEmpty }
                guard elements.last == "chunked", elements.filter({ $0 == "chunked" }).count == 1,
                      elements.allSatisfy({ $0.utf8.allSatisfy(isTChar) })
                else { return .invalid("Transfer-Encoding does not end in exactly one 'chunked'") }
            }
            if version == "HTTP/1.0" { return .invalid("Transfer-Encoding in an HTTP/1.0 request") }
            request.chunked = true
            return readChunked(bytes, from: index, start: start, mode: mode, request: request)
        }
        return .complete(request, consumed: index - start)
    }

    enum FieldsOutcome { case fields([(name: String, value: [UInt8])]), incomplete, invalid(String) }

    /// Field lines up to and including the empty line; `index` is moved past it.
    static func readFields(_ bytes: [UInt8], _ index: inout Int) -> FieldsOutcome {
        var fields: [(name: String, value: [UInt8])] = []
        while true {
            guard let next = line(bytes, index) else { return .incomplete }
            guard case .success(let (fieldLine, after)) = next else { return .invalid("bare CR/LF in a field line") }
            index = after
            if fieldLine.isEmpty { return .fields(fields) }
            if fieldLine.first == 0x20 || fieldLine.first == 0x09 { return .invalid("obs-fold (a line starting with whitespace)") }
            guard let colon = fieldLine.firstIndex(of: UInt8(ascii: ":")) else { return .invalid("field line without a colon") }
            let name = fieldLine[fieldLine.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTChar) else { return .invalid("field name is not a token") }
            var value = fieldLine[(colon + 1)...]
            while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
            while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
            guard value.allSatisfy(isFieldValueByte) else { return .invalid("NUL/CTL in a field value") }
            fields.append((String(decoding: name, as: UTF8.self), Array(value)))
        }
    }

    static func readChunked(_ bytes: [UInt8], from body: Int, start: Int, mode: Mode, request: Request) -> Outcome {
        var request = request
        var index = body
        while true {
            guard let sizeLine = line(bytes, index) else { return .incomplete(headComplete: true) }
            guard case .success(let (raw, afterSize)) = sizeLine else { return .invalid("bare CR/LF in a chunk-size line") }
            var digits = raw
            if let semicolon = raw.firstIndex(of: UInt8(ascii: ";")) {
                if mode == .normalised { return .invalid("chunk extension forwarded") }
                digits = raw[raw.startIndex..<semicolon]
                guard validChunkExtensions(raw[(semicolon)...]) else { return .invalid("malformed chunk extension") }
            }
            guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy(isHex) else { return .invalid("chunk size is not plain hex digits") }
            let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) ?? 0
            index = afterSize
            if size == 0 {
                switch readFields(bytes, &index) {
                case .incomplete: return .incomplete(headComplete: true)
                case .invalid(let reason): return .invalid("trailer: \(reason)")
                case .fields(let trailers):
                    let forbidden = ["content-length", "transfer-encoding", "host"]
                    if mode == .normalised, trailers.contains(where: { forbidden.contains($0.name.lowercased()) }) {
                        return .invalid("framing field in the trailer section")
                    }
                    return .complete(request, consumed: index - start)
                }
            }
            guard bytes.count - index >= size + 2 else {
                if bytes.count - index > size, bytes[index + size] != 0x0D { return .invalid("chunk data not followed by CRLF") }
                return .incomplete(headComplete: true)
            }
            guard bytes[index + size] == 0x0D, bytes[index + size + 1] == 0x0A else { return .invalid("chunk data not followed by CRLF") }
            request.body += bytes[index..<index + size]
            index += size + 2
        }
    }

    /// `*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )` (RFC 9112 §7.1.1).
    static func validChunkExtensions(_ raw: ArraySlice<UInt8>) -> Bool {
        var i = raw.startIndex
        func skipBWS() { while i < raw.endIndex, raw[i] == 0x20 || raw[i] == 0x09 { i += 1 } }
        func token() -> Bool {
            let s = i
            while i < raw.endIndex, isTChar(raw[i]) { i += 1 }
            return i > s
        }
        while i < raw.endIndex {
            skipBWS()
            guard i < raw.endIndex, raw[i] == UInt8(ascii: ";") else { return false }
            i += 1
            skipBWS()
            guard token() else { return false }
            skipBWS()
            if i < raw.endIndex, raw[i] == UInt8(ascii: "=") {
                i += 1
                skipBWS()
                if i < raw.endIndex, raw[i] == UInt8(ascii: "\"") {
                    i += 1
                    var closed = false
                    while i < raw.endIndex {
                        let b = raw[i]
                        if b == UInt8(ascii: "\\") { i += 2; continue }
                        i += 1
                        if b == UInt8(ascii: "\"") { closed = true; break }
                        guard b == 0x09 || (b >= 0x20 && b != 0x7F) else { return false }
                    }
                    guard closed else { return false }
                } else {
                    guard token() else { return false }
                }
            }
        }
        return true
    }

    /// Every request at the start of `bytes`, in order, until one is incomplete or invalid.
    static func readRequests(_ bytes: [UInt8], mode: Mode) -> (requests: [Request], rest: Outcome?) {
        var requests: [Request] = []
        var offset = 0
        while offset < bytes.count {
            // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request-line.
            if mode == .received {
                while offset + 1 < bytes.count && bytes[offset] == 0x0D && bytes[offset + 1] == 0x0A { offset += 2 }
                if offset == bytes.count { break }
            }
            let outcome = readRequest(bytes, from: offset, mode: mode)
            guard case .complete(let request, let consumed) = outcome else { return (requests, outcome) }
            requests.append(request)
            offset += consumed
        }
        return (requests, nil)
    }

    // MARK: Responses (the client side: counting what proxyd answered)

    struct Response {
        var status: Int
        var fromBackend: Bool
    }

    /// The responses in `bytes`. Interim (1xx) responses are skipped; a response whose
    /// Content-Length body is absent because the next status line follows at once (a HEAD
    /// response) is counted without a body. Stops at the first unreadable byte.
    static func readResponses(_ bytes: [UInt8]) -> (responses: [Response], trailingGarbage: Bool) {
        var responses: [Response] = []
        var index = 0
        while index < bytes.count {
            guard let first = line(bytes, index), case .success(let (statusLine, afterLine)) = first,
                  statusLine.starts(with: Array("HTTP/1.".utf8)), statusLine.count >= 12,
                  let status = Int(String(decoding: statusLine[(statusLine.startIndex + 9)..<(statusLine.startIndex + 12)], as: UTF8.self))
            else { return (responses, true) }
            var cursor = afterLine
            guard case .fields(let fields) = readFields(bytes, &cursor) else { return (responses, true) }
            let names = fields.map { $0.name.lowercased() }
            if status < 200 { index = cursor; continue }
            responses.append(Response(status: status, fromBackend: names.contains("x-harness-backend")))
            if status == 204 || status == 304 { index = cursor; continue }
            if let length = fields.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int(String(decoding: $0.value, as: UTF8.self)) }) {
                if length > 0 && bytes[cursor...].starts(with: Array("HTTP/1.".utf8)) { index = cursor; continue }
                index = min(bytes.count, cursor + length)
            } else if fields.contains(where: { $0.name.lowercased() == "transfer-encoding" }) {
                let fake = Request(method: "", target: "", version: "", fields: [], body: [], chunked: true)
                guard case .complete(_, let consumed) = readChunked(bytes, from: cursor, start: cursor, mode: .received, request: fake) else {
                    return (responses, false)
                }
                index = cursor + consumed
            } else {
                return (responses, false)  // read until close
            }
        }
        return (responses, false)
    }
}
