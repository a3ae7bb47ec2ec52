/// Why a message was refused, where, and which status code the peer should get.
///
/// Every rule of RFC 9112 that the parser enforces has its own `Kind`, so a test (or a log
/// line) can tell a bare CR from an obs-fold. `offset` counts bytes from the start of the
/// connection's byte stream (or of the buffer, for the stand-alone head parser), so the same
/// input reports the same offset however it was split into reads.
public struct HTTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The rule that was broken.
    public enum Kind: Hashable, Sendable {
        // Start line (RFC 9112 §3, §4).
        /// The method is empty or holds a byte that is not a `tchar` (RFC 9110 §9.1).
        case invalidMethod
        /// The request-target is empty, holds whitespace/CTL/non-ASCII, or has the wrong form
        /// for the method (RFC 9112 §3.2).
        case invalidRequestTarget
        /// The protocol version is not `HTTP/` DIGIT `.` DIGIT (RFC 9112 §2.3).
        case invalidVersion
        /// A well-formed version other than HTTP/1.0 or HTTP/1.1 (RFC 9110 §15.6.6 → 505).
        case unsupportedVersion
        /// The start line's separators are not single spaces (RFC 9112 §3, §4).
        case invalidStartLine
        /// The status code is not three digits from 100 to 999 (RFC 9112 §4).
        case invalidStatusCode
        /// The reason phrase holds a CTL (RFC 9112 §4).
        case invalidReasonPhrase
        // Line endings (RFC 9112 §2.2).
        /// A CR not followed by LF.
        case bareCR
        /// An LF not preceded by CR: refused, see `HTTPHeadParser` for why.
        case bareLF
        // Field lines (RFC 9112 §5).
        /// Whitespace between the start line and the first field line (RFC 9112 §2.2).
        case whitespaceAfterStartLine
        /// Whitespace between a field name and the colon (RFC 9112 §5.1).
        case whitespaceBeforeColon
        /// A field line starting with SP/HTAB: obsolete line folding (RFC 9112 §5.2).
        case obsoleteLineFolding
        /// A field name that is empty or holds a non-`tchar` byte (RFC 9110 §5.1).
        case invalidFieldName
        /// A field line without a colon.
        case missingColon
        /// A field value holding NUL or another CTL (RFC 9110 §5.5).
        case invalidFieldValue
        // Framing (RFC 9112 §6).
        /// Content-Length that is not 1*DIGIT (RFC 9110 §8.6).
        case invalidContentLength
        /// Content-Length that does not fit in 63 bits.
        case contentLengthOverflow
        /// Several Content-Length fields that disagree (RFC 9110 §8.6).
        case conflictingContentLength
        /// Transfer-Encoding and Content-Length in the same message (RFC 9112 §6.3 rule 3).
        case transferEncodingWithContentLength
        /// A Transfer-Encoding value that is empty or not a list of tokens (RFC 9112 §6.1).
        case invalidTransferEncoding
        /// A request whose final transfer coding is not `chunked` (RFC 9112 §6.3 rule 4), or
        /// `chunked` applied more than once (RFC 9112 §6.1), or an empty coding.
        case chunkedNotFinal
        /// A transfer coding this parser does not implement (RFC 9112 §6.1 → 501).
        case unsupportedTransferCoding
        /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: framing is faulty).
        case transferEncodingInHTTP10
        /// A chunk size that is not 1*HEXDIG (RFC 9112 §7.1).
        case invalidChunkSize
        /// A chunk size that does not fit in 63 bits.
        case chunkSizeOverflow
        /// A malformed chunk extension (RFC 9112 §7.1.1).
        case invalidChunkExtension
        /// Chunk extensions longer than `HTTPParserLimits.maxChunkExtensionLength`.
        case chunkExtensionTooLong
        /// Chunk data not followed by CRLF (RFC 9112 §7.1).
        case invalidChunkTerminator
        // Host (RFC 9112 §3.2).
        /// An HTTP/1.1 request without Host.
        case missingHost
        /// A request with more than one Host field.
        case multipleHost
        /// A Host value that is not a uri-host [ ":" port ] (RFC 9110 §7.2).
        case invalidHost
        // Limits.
        /// The request line is longer than `HTTPParserLimits.maxStartLineLength` (→ 414).
        case startLineTooLong
        /// The header section is larger than `HTTPParserLimits.maxHeaderSectionSize` (→ 431).
        case headerSectionTooLarge
        /// More field lines than `HTTPParserLimits.maxFieldCount` (→ 431).
        case tooManyFields
        /// The body is larger than `HTTPParserLimits.maxBodySize` (→ 413).
        case bodyTooLarge
        /// The trailer section is larger than `HTTPParserLimits.maxHeaderSectionSize` (→ 431).
        case trailerSectionTooLarge
        // Connection.
        /// Bytes after a message that closes the connection (RFC 9112 §9.6).
        case dataAfterClose
        /// The connection ended inside a message whose length is known (RFC 9112 §8).
        case incompleteMessage
    }

    /// The rule that was broken.
    public var kind: Kind
    /// Offset of the offending byte (see the type's documentation for the origin).
    public var offset: Int
    /// The field the error is about, lowercased, when there is one (e.g. "content-length").
    public var fieldName: String?

    /// Creates an error.
    public init(_ kind: Kind, offset: Int, fieldName: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.fieldName = fieldName
    }

    /// The status code a server should answer a request with this error
    /// (RFC 9110 §15.5 / RFC 6585 §5). For responses the proxy answers 502 instead.
    public var status: Int {
        switch kind {
        case .unsupportedVersion: return 505
        case .unsupportedTransferCoding: return 501
        case .startLineTooLong: return 414
        case .headerSectionTooLarge, .tooManyFields, .trailerSectionTooLarge: return 431
        case .bodyTooLarge: return 413
        default: return 400
        }
    }

    /// "400 obsoleteLineFolding at byte 42 (field "x-a")".
    public var description: String {
        var text = "\(status) \(kind) at byte \(offset)"
        if let fieldName { text += " (field \"\(fieldName)\")" }
        return text
    }

    /// The same error with its offset moved by `delta` bytes.
    func shifted(by delta: Int) -> HTTPParseError {
        HTTPParseError(kind, offset: offset + delta, fieldName: fieldName)
    }
}
