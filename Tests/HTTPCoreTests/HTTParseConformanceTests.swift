import HTTPCore
import Testing
import TestCorpora

/// httparse's (hyper) unit-test cases: requests, responses and chunk-size lines with
/// complete / partial / error, each also fed byte by byte and split at every point.
///
/// Cases with a non-empty `config` need a leniency flag of httparse
/// (`allow_spaces_after_header_name_in_responses`, `ignore_invalid_headers_in_*`,
/// `allow_obsolete_multiline_headers_in_responses`, ...). We offer none of them: each such
/// case must be an error here, whatever httparse says with the flag on — those flags exist to
/// accept exactly the inputs RFC 9112 §5.1/§5.2 tell a recipient to reject.
@Suite("httparse conformance", .needsSharedCorpora)
struct HTTParseConformanceTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var line: Int
        var name: String
        var kind: String
        var raw_b64: String
        var expect: String
        var config: [String]
        var testDescription: String { "lib.rs:\(line) \(name) \(config.isEmpty ? "" : "\(config)")" }
    }

    /// Default-config cases we judge differently, by name (+ kind), with the reason.
    static let differences: [String: String] = [
        "response test_response_newlines": "bare LF line endings are refused (400 bareLF)",
        "response test_response_empty_lines_prefix_lf_only": "bare LF line endings are refused (400 bareLF)",
        "response test_response_no_cr": "bare LF line endings are refused (400 bareLF)",
        "request test_request_newlines": "bare LF line endings are refused (400 bareLF)",
        "request test_request_empty_lines_prefix_lf_only": "bare LF line endings are refused (400 bareLF)",
        "request test_request_path_backslash": "bare LF line endings are refused (400 bareLF)",
    ]

    static func cases() throws -> [Case] {
        try SharedCorpora.jsonLines("corpora/http/httparse/httparse-cases.jsonl", as: Case.self)
    }

    static func verdict(_ outcome: HeadOutcome) -> String { outcome.name }

    @Test("heads: same verdict as httparse, lenient-config cases always rejected",
          arguments: try cases().filter { $0.kind != "chunk-size" })
    func heads(_ testCase: Case) throws {
        let raw = testCase.raw_b64.base64Bytes
        let kind: HTTPMessageKind = testCase.kind == "response" ? .response : .request
        let (ours, disagreeing) = HeadOutcome.runAllFeedings(kind, raw)
        #expect(disagreeing.isEmpty, "feedings disagree: \(disagreeing.prefix(5))")
        let expected = testCase.expect.hasPrefix("error") ? "error" : testCase.expect
        if !testCase.config.isEmpty {
            #expect(ours.name == "error", "no leniency offered: \(ours)")
            return
        }
        if let reason = Self.differences["\(testCase.kind) \(testCase.name)"] {
            #expect(ours.name != expected, "\(reason): \(ours)")
            return
        }
        if case .error(let error) = ours, error.kind == .missingHost {
            // RFC 9112 §3.2: an HTTP/1.1 request without Host is 400 here; httparse does not check.
            #expect(expected == "complete")
            return
        }
        if case .error(let error) = ours, error.kind == .invalidRequestTarget || error.kind == .invalidStartLine,
            expected == "complete", HTTParseURLCases.refused.contains(testCase.name)
        {
            return
        }
        #expect(ours.name == expected, "\(ours)")
    }

    @Test("chunk-size lines: same size and length as httparse, or a listed difference",
          arguments: try cases().filter { $0.kind == "chunk-size" })
    func chunkSize(_ testCase: Case) throws {
        let raw = testCase.raw_b64.base64Bytes
        let (ours, disagreeing) = ChunkedTranscript.runAllFeedings(raw)
        #expect(disagreeing.isEmpty, "feedings disagree: \(disagreeing.prefix(5))")
        switch raw {
        case Array("3735AB1;foo bar*\r\n".utf8), Array("3735ab1 ; baz \r\n".utf8):
            // RFC 9112 §7.1.1: BWS after an extension name only before '='.
            #expect(ours.error?.kind == .invalidChunkExtension)
            return
        case Array("ffffffffffffffff\r\n".utf8):
            #expect(ours.error?.kind == .chunkSizeOverflow)  // 63-bit sizes
            return
        default:
            break
        }
        let parts = testCase.expect.split(separator: ":")
        switch parts.first {
        case "complete":
            let length = Int(parts[1]) ?? -1
            let size = Int(parts[2]) ?? -1
            #expect(ours.error == nil)
            // The size line is consumed; data (if any was given) starts right after it.
            #expect(ours.consumed == length || ours.firstDataAt == length, "\(ours)")
            if size > 0, let first = ours.firstDataAt { #expect(first == length) }
        case "partial":
            #expect(ours.error == nil && ours.consumed == 0 && ours.data.isEmpty, "\(ours)")
        default:
            #expect(ours.error != nil, "\(ours)")
        }
    }
}
