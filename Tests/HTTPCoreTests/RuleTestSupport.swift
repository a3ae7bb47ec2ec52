import HTTPCore
import Testing

/// Helpers for the one-rule-per-test suites: parse a message given as text (CRLF written out
/// as \r\n), fed whole and byte by byte, and return what happened.
enum Rule {
    /// The transcript for `text`; records an issue if byte-by-byte feeding disagrees.
    static func parse(_ kind: HTTPMessageKind, _ text: String, limits: HTTPParserLimits = .default,
                      requestMethod: HTTPMethod = .get, sourceLocation: SourceLocation = #_sourceLocation) -> MessageTranscript {
        let bytes = Array(text.utf8)
        let whole = MessageTranscript.run(kind, chunks: [bytes], limits: limits, requestMethod: requestMethod)
        let split = MessageTranscript.run(kind, chunks: bytes.map { [$0] }, limits: limits, requestMethod: requestMethod)
        #expect(whole.verdict == split.verdict, "byte-by-byte feeding disagrees", sourceLocation: sourceLocation)
        return whole
    }

    /// The error parsing a request (or response) fails with.
    static func error(_ kind: HTTPMessageKind, _ text: String, limits: HTTPParserLimits = .default,
                      sourceLocation: SourceLocation = #_sourceLocation) -> HTTPParseError? {
        parse(kind, text, limits: limits, sourceLocation: sourceLocation).error
    }

    /// The error parsing a request fails with.
    static func error(_ text: String, limits: HTTPParserLimits = .default,
                      sourceLocation: SourceLocation = #_sourceLocation) -> HTTPParseError? {
        parse(.request, text, limits: limits, sourceLocation: sourceLocation).error
    }

    /// Byte offset of the first occurrence of `marker` in `text` (plus `plus`).
    static func offset(of marker: String, in text: String, plus: Int = 0) -> Int {
        let bytes = Array(text.utf8)
        let needle = Array(marker.utf8)
        for i in 0...(bytes.count - needle.count) where Array(bytes[i..<(i + needle.count)]) == needle { return i + plus }
        return -1
    }
}
