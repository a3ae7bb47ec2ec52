import HTTPCore
import Testing

/// One test per strictness rule of RFC 9112 that the parser enforces, each asserting the exact
/// error kind, status, byte offset and (where there is one) field name.
@Suite("RFC 9112 strictness rules")
struct RFC9112RuleTests {
    // MARK: Field lines (RFC 9112 §5, RFC 9110 §5)

    @Test("whitespace between field name and colon is 400 whitespaceBeforeColon (§5.1)")
    func whitespaceBeforeColon() {
        let text = "GET / HTTP/1.1\r\nHost : a\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.whitespaceBeforeColon, offset: Rule.offset(of: " :", in: text), fieldName: "host"))
        #expect(Rule.error(text)?.status == 400)
    }

    @Test("obs-fold is 400 obsoleteLineFolding (§5.2)")
    func obsFold() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.obsoleteLineFolding, offset: Rule.offset(of: "\r\n c", in: text, plus: 2)))
    }

    @Test("whitespace before the first field line is 400 whitespaceAfterStartLine (§2.2)")
    func whitespaceAfterStartLine() {
        let text = "GET / HTTP/1.1\r\n Host: a\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.whitespaceAfterStartLine, offset: 16))
    }

    @Test("a bare CR inside a field line is 400 bareCR (§2.2)")
    func bareCRInField() {
        let text = "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.bareCR, offset: Rule.offset(of: "\rX", in: text), fieldName: "host"))
    }

    @Test("a bare CR after the request line is 400 bareCR (§2.2)")
    func bareCRInStartLine() {
        let text = "GET / HTTP/1.1\rHost: a\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.bareCR, offset: 14))
    }

    @Test("a bare LF ending a field line is 400 bareLF (our §2.2 decision)")
    func bareLFInField() {
        let text = "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.bareLF, offset: Rule.offset(of: "\nX", in: text), fieldName: "host"))
    }

    @Test("a bare LF ending the request line is 400 bareLF (our §2.2 decision)")
    func bareLFInStartLine() {
        #expect(Rule.error("GET / HTTP/1.1\nHost: a\r\n\r\n") == HTTPParseError(.bareLF, offset: 14))
    }

    @Test("a bare LF ending the status line is rejected too")
    func bareLFInStatusLine() {
        #expect(Rule.error(.response, "HTTP/1.1 200 OK\nContent-Length: 0\n\n") == HTTPParseError(.bareLF, offset: 15))
    }

    @Test("NUL in a field value is 400 invalidFieldValue (RFC 9110 §5.5)")
    func nulInValue() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{0}c\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.invalidFieldValue, offset: Rule.offset(of: "\u{0}", in: text), fieldName: "x-a"))
    }

    @Test("another CTL (form feed, DEL) in a field value is 400 invalidFieldValue")
    func ctlInValue() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{0C}c\r\n\r\n"
        #expect(Rule.error(text)?.kind == .invalidFieldValue)
        #expect(Rule.error("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{7F}\r\n\r\n")?.kind == .invalidFieldValue)
    }

    @Test("a CTL in a field name is 400 invalidFieldName")
    func ctlInName() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX\u{1}A: b\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.invalidFieldName, offset: Rule.offset(of: "\u{1}", in: text), fieldName: "x"))
    }

    @Test("a non-token character in a field name is 400 invalidFieldName (RFC 9110 §5.1)")
    func nonTokenInName() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nFo@: b\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.invalidFieldName, offset: Rule.offset(of: "@", in: text), fieldName: "fo"))
    }

    @Test("an empty field name is 400 invalidFieldName")
    func emptyName() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.invalidFieldName, offset: Rule.offset(of: "\r\n:", in: text, plus: 2), fieldName: ""))
    }

    @Test("a field line without colon is 400 missingColon")
    func missingColon() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-A\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.missingColon, offset: Rule.offset(of: "X-A", in: text, plus: 3), fieldName: "x-a"))
    }

    // MARK: Start line (RFC 9112 §3, §4)

    @Test("a non-token character in the method is 400 invalidMethod")
    func invalidMethod() {
        #expect(Rule.error("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") == HTTPParseError(.invalidMethod, offset: 1))
    }

    @Test("two spaces between method and target are 400 invalidRequestTarget (§3: single SP)")
    func doubleSpace() {
        #expect(Rule.error("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") == HTTPParseError(.invalidRequestTarget, offset: 4))
    }

    @Test("a request-target byte >= 0x80 is 400 invalidRequestTarget")
    func nonASCIITarget() {
        #expect(Rule.error("GET /\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n") == HTTPParseError(.invalidRequestTarget, offset: 5))
    }

    @Test("asterisk-form is only for OPTIONS (§3.2.4)")
    func asteriskForm() {
        #expect(Rule.error("GET * HTTP/1.1\r\nHost: a\r\n\r\n") == HTTPParseError(.invalidRequestTarget, offset: 4))
        #expect(Rule.error("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") == nil)
    }

    @Test("CONNECT needs authority-form host:port (§3.2.3)")
    func authorityForm() {
        #expect(Rule.error("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n") == HTTPParseError(.invalidRequestTarget, offset: 8))
        #expect(Rule.error("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n") == nil)
    }

    @Test("a request line without version (HTTP/0.9) is 400 invalidStartLine")
    func noVersion() {
        #expect(Rule.error("GET /\r\n\r\n") == HTTPParseError(.invalidStartLine, offset: 5))
    }

    @Test("a malformed version is 400 invalidVersion (§2.3)")
    func malformedVersion() {
        #expect(Rule.error("GET / HTTP/11.1\r\nHost: a\r\n\r\n") == HTTPParseError(.invalidVersion, offset: 12))
        #expect(Rule.error("GET / HTTX/1.1\r\nHost: a\r\n\r\n") == HTTPParseError(.invalidVersion, offset: 9))
    }

    @Test("HTTP/2.0, HTTP/1.2 and HTTP/0.9 are 505 unsupportedVersion", arguments: ["2.0", "1.2", "0.9"])
    func unsupportedVersion(_ version: String) {
        let error = Rule.error("GET / HTTP/\(version)\r\nHost: a\r\n\r\n")
        #expect(error == HTTPParseError(.unsupportedVersion, offset: 6))
        #expect(error?.status == 505)
    }

    @Test("a status code that is not three digits is invalidStatusCode (§4)")
    func statusCode() {
        #expect(Rule.error(.response, "HTTP/1.1 20 OK\r\n\r\n") == HTTPParseError(.invalidStatusCode, offset: 11))
        #expect(Rule.error(.response, "HTTP/1.1 099 OK\r\n\r\n") == HTTPParseError(.invalidStatusCode, offset: 9))
    }

    @Test("a NUL in the reason phrase is invalidReasonPhrase")
    func reasonPhrase() {
        #expect(Rule.error(.response, "HTTP/1.1 200 O\u{0}K\r\n\r\n") == HTTPParseError(.invalidReasonPhrase, offset: 14))
    }

    // MARK: Host (RFC 9112 §3.2)

    @Test("an HTTP/1.1 request without Host is 400 missingHost")
    func missingHost() {
        let text = "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.missingHost, offset: text.utf8.count - 2, fieldName: "host"))
    }

    @Test("an HTTP/1.0 request without Host is accepted")
    func http10WithoutHost() {
        #expect(Rule.error("GET / HTTP/1.0\r\n\r\n") == nil)
    }

    @Test("two Host fields are 400 multipleHost")
    func multipleHost() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.multipleHost, offset: Rule.offset(of: "Host: b", in: text), fieldName: "host"))
    }

    @Test("a Host value with '/' or '@' is 400 invalidHost")
    func invalidHost() {
        let text = "GET / HTTP/1.1\r\nHost: a@b/c\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.invalidHost, offset: Rule.offset(of: "@", in: text), fieldName: "host"))
    }

    // MARK: Content-Length (RFC 9110 §8.6, RFC 9112 §6.3)

    @Test("Content-Length that is not plain digits is 400 invalidContentLength", arguments: ["4 2", "+4", "-1", "0x10", "4, 4", ""])
    func contentLengthDigits(_ value: String) {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n"
        #expect(Rule.error(text)?.kind == .invalidContentLength)
        #expect(Rule.error(text)?.fieldName == "content-length")
    }

    @Test("Content-Length beyond 63 bits is 400 contentLengthOverflow")
    func contentLengthOverflow() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.contentLengthOverflow, offset: Rule.offset(of: "99999", in: text, plus: 18), fieldName: "content-length"))
    }

    @Test("Content-Length copies that differ are 400 conflictingContentLength")
    func conflictingContentLength() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.conflictingContentLength, offset: Rule.offset(of: "2\r\n", in: text), fieldName: "content-length"))
    }

    @Test("identical Content-Length copies are accepted (RFC 9110 §8.6)")
    func identicalContentLength() {
        let result = Rule.parse(.request, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(result.error == nil)
        #expect(result.messages.first?.body == Array("ok".utf8))
    }

    // MARK: Transfer-Encoding (RFC 9112 §6)

    @Test("Transfer-Encoding with Content-Length in a request is 400")
    func transferEncodingWithContentLength() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.transferEncodingWithContentLength, offset: Rule.offset(of: "Transfer", in: text), fieldName: "transfer-encoding"))
    }

    @Test("a request whose final coding is not chunked is 400 chunkedNotFinal")
    func chunkedNotFinalInRequest() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
        let error = Rule.error(text)
        #expect(error == HTTPParseError(.chunkedNotFinal, offset: Rule.offset(of: "Transfer", in: text), fieldName: "transfer-encoding"))
        #expect(error?.status == 400)
    }

    @Test("chunked applied twice is 400 chunkedNotFinal (§6.1)")
    func chunkedTwice() {
        #expect(Rule.error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")?.kind == .chunkedNotFinal)
    }

    @Test("a response whose final coding is not chunked is read until close (§6.3 rule 4)")
    func chunkedNotFinalInResponse() {
        let result = Rule.parse(.response, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc")
        #expect(result.error == nil)
        #expect(result.messages.first?.framing == .untilClose)
        #expect(result.messages.first?.body == Array("abc".utf8))
    }

    @Test("an unknown transfer coding in a request is 501 unsupportedTransferCoding")
    func unknownCoding() {
        let text = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: pigeons, chunked\r\n\r\n"
        let error = Rule.error(text)
        #expect(error == HTTPParseError(.unsupportedTransferCoding, offset: Rule.offset(of: "pigeons", in: text), fieldName: "transfer-encoding"))
        #expect(error?.status == 501)
    }

    @Test("an empty Transfer-Encoding in a request is 400 invalidTransferEncoding")
    func emptyTransferEncoding() {
        #expect(Rule.error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n")?.kind == .invalidTransferEncoding)
    }

    @Test("Transfer-Encoding in an HTTP/1.0 request is 400 transferEncodingInHTTP10 (§6.1)")
    func transferEncodingInHTTP10() {
        let text = "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.transferEncodingInHTTP10, offset: 17, fieldName: "transfer-encoding"))
    }

    // MARK: Chunked coding (RFC 9112 §7.1)

    static let chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

    @Test("a chunk size that is not hex is 400 invalidChunkSize")
    func chunkSizeNotHex() {
        let text = Self.chunkedHead + "1x\r\na\r\n0\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.invalidChunkSize, offset: Self.chunkedHead.utf8.count + 1))
    }

    @Test("an empty chunk size is 400 invalidChunkSize")
    func chunkSizeEmpty() {
        #expect(Rule.error(Self.chunkedHead + "\r\n") == HTTPParseError(.invalidChunkSize, offset: Self.chunkedHead.utf8.count))
    }

    @Test("whitespace after the chunk size without ';' is 400 invalidChunkSize")
    func chunkSizeTrailingSpace() {
        #expect(Rule.error(Self.chunkedHead + "a \r\n0123456789\r\n0\r\n\r\n")?.kind == .invalidChunkSize)
    }

    @Test("a chunk size beyond 63 bits is 400 chunkSizeOverflow")
    func chunkSizeOverflow() {
        let text = Self.chunkedHead + "10000000000000000\r\n"
        #expect(Rule.error(text) == HTTPParseError(.chunkSizeOverflow, offset: Self.chunkedHead.utf8.count + 15))
    }

    @Test("chunk data not followed by CRLF is 400 invalidChunkTerminator")
    func badChunkCRLF() {
        let text = Self.chunkedHead + "3\r\nabcX\r\n0\r\n\r\n"
        #expect(Rule.error(text) == HTTPParseError(.invalidChunkTerminator, offset: Self.chunkedHead.utf8.count + 6))
    }

    @Test("a bare LF after a chunk size is 400 bareLF")
    func bareLFAfterChunkSize() {
        #expect(Rule.error(Self.chunkedHead + "3\nabc\r\n0\r\n\r\n") == HTTPParseError(.bareLF, offset: Self.chunkedHead.utf8.count + 1))
    }

    @Test("a malformed chunk extension is 400 invalidChunkExtension")
    func malformedExtension() {
        #expect(Rule.error(Self.chunkedHead + "3;\r\nabc\r\n0\r\n\r\n")?.kind == .invalidChunkExtension)
        #expect(Rule.error(Self.chunkedHead + "3;a=\"b\r\nabc\r\n0\r\n\r\n")?.kind != nil)
    }

    @Test("chunk extensions beyond the limit are 400 chunkExtensionTooLong")
    func extensionTooLong() {
        let limits = HTTPParserLimits(maxChunkExtensionLength: 16)
        let text = Self.chunkedHead + "3;" + String(repeating: "a", count: 40) + "\r\nabc\r\n0\r\n\r\n"
        let error = Rule.error(text, limits: limits)
        #expect(error == HTTPParseError(.chunkExtensionTooLong, offset: Self.chunkedHead.utf8.count + 1 + 16))
        #expect(error?.status == 400)
    }

    @Test("obs-fold in a trailer section is rejected like in a head")
    func trailerObsFold() {
        #expect(Rule.error(Self.chunkedHead + "0\r\nX-T: a\r\n b\r\n\r\n")?.kind == .obsoleteLineFolding)
    }

    // MARK: Limits

    @Test("a request line beyond the limit is 414 startLineTooLong")
    func requestLineTooLong() {
        let limits = HTTPParserLimits(maxStartLineLength: 32)
        let error = Rule.error("GET /" + String(repeating: "a", count: 64) + " HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)
        #expect(error == HTTPParseError(.startLineTooLong, offset: 32))
        #expect(error?.status == 414)
    }

    @Test("a header section beyond the limit is 431 headerSectionTooLarge")
    func headerSectionTooLarge() {
        let limits = HTTPParserLimits(maxHeaderSectionSize: 64)
        let error = Rule.error("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + String(repeating: "c", count: 100) + "\r\n\r\n", limits: limits)
        #expect(error == HTTPParseError(.headerSectionTooLarge, offset: 64))
        #expect(error?.status == 431)
    }

    @Test("more fields than the limit is 431 tooManyFields")
    func tooManyFields() {
        let limits = HTTPParserLimits(maxFieldCount: 3)
        let text = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        let error = Rule.error(text, limits: limits)
        #expect(error == HTTPParseError(.tooManyFields, offset: Rule.offset(of: "C: 3", in: text)))
        #expect(error?.status == 431)
    }

    @Test("a Content-Length beyond the body limit is 413 bodyTooLarge, before any body byte")
    func contentLengthTooLarge() {
        let limits = HTTPParserLimits(maxBodySize: 10)
        let text = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"
        let error = Rule.error(text, limits: limits)
        #expect(error == HTTPParseError(.bodyTooLarge, offset: Rule.offset(of: "11", in: text), fieldName: "content-length"))
        #expect(error?.status == 413)
    }

    @Test("chunks adding up beyond the body limit are 413 bodyTooLarge")
    func chunkedTooLarge() {
        let limits = HTTPParserLimits(maxBodySize: 10)
        let text = Self.chunkedHead + "8\r\n12345678\r\n8\r\n"
        #expect(Rule.error(text, limits: limits)?.kind == .bodyTooLarge)
    }

    // MARK: Connection (RFC 9112 §9)

    @Test("bytes after a request with Connection: close are 400 dataAfterClose")
    func dataAfterClose() {
        let first = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        let result = Rule.parse(.request, first + "GET / HTTP/1.1\r\n")
        #expect(result.messages.count == 1 && result.messages[0].complete)
        #expect(result.error == HTTPParseError(.dataAfterClose, offset: first.utf8.count))
    }
}

extension RFC9112RuleTests {
    /// Found by FuzzChunkedDecoder: a quoted-pair straddling the extension limit was judged
    /// differently depending on how much had arrived.
    @Test("a quoted-pair at the chunk-extension limit is chunkExtensionTooLong however the bytes arrive")
    func quotedPairAtLimit() {
        let limits = HTTPParserLimits(maxChunkExtensionLength: 8)
        let body = Array("5;a=\"bcde\\\r\"".utf8)
        let (whole, disagreeing) = ChunkedTranscript.runAllFeedings(body, limits: limits)
        #expect(disagreeing.isEmpty)
        #expect(whole.error == HTTPParseError(.chunkExtensionTooLong, offset: 9))
    }
}
