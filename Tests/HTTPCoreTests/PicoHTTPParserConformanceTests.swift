import HTTPCore
import Testing
import TestCorpora

/// picohttpparser's test.c cases: requests, responses, bare field sections and chunked
/// bodies, each with complete / partial / error. Every case is also fed byte by byte and split
/// at every point with the same verdict.
@Suite("picohttpparser conformance", .needsSharedCorpora)
struct PicoHTTPParserConformanceTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var line: Int
        var kind: String
        var name: String?
        var raw_b64: String?
        var chunked_b64: String?
        var decoded: String?
        var expect: String
        var consume_trailer: Bool?
        var testDescription: String { "test.c:\(line) \(kind) \(name ?? "")" }
    }

    /// Heads we judge differently, by test.c line, with the reason.
    static let headDifferences: [Int: String] = [
        92: "RFC 9112 §5.2: obs-fold is rejected (400 obsoleteLineFolding), pico unfolds",
        199: "RFC 9112 §5.2: obs-fold is rejected (400 obsoleteLineFolding), pico unfolds",
        139: "request-target bytes >= 0x80 are refused (400): backends decode them differently",
        157: "RFC 9112 §3: single SP between request-line elements (400 invalidRequestTarget)",
        260: "RFC 9112 §4: single SP between status-line elements (400 invalidStatusCode)",
        234: "bare LF ends no line here (400 bareLF); pico waits for more",
    ]

    /// Chunked cases we judge differently, by test.c line, with the reason.
    static let chunkedDifferences: [Int: String] = [
        422: "chunk sizes are limited to 63 bits (400 chunkSizeOverflow); pico allows 64",
        447: "bare LF in the trailer section (400 bareLF)",
        448: "bare LF in the trailer section (400 bareLF)",
    ]

    static func cases() throws -> [Case] {
        try SharedCorpora.jsonLines("corpora/http/picohttpparser/pico-cases.jsonl", as: Case.self)
    }

    @Test("heads: same verdict as picohttpparser, or a listed difference", arguments: try cases().filter { $0.kind != "chunked-body" })
    func heads(_ testCase: Case) throws {
        var raw = try #require(testCase.raw_b64).base64Bytes
        var kind: HTTPMessageKind = testCase.kind == "response" ? .response : .request
        if testCase.kind == "headers" {
            // phr_parse_headers parses a bare field section: give it an HTTP/1.0 request line.
            raw = Array("GET / HTTP/1.0\r\n".utf8) + raw
            kind = .request
        }
        let (ours, disagreeing) = HeadOutcome.runAllFeedings(kind, raw)
        #expect(disagreeing.isEmpty, "feedings disagree: \(disagreeing.prefix(5))")
        if let reason = Self.headDifferences[testCase.line] {
            #expect(ours.name != testCase.expect, "listed difference (\(reason)) but we agree: \(ours)")
            return
        }
        if case .error(let error) = ours, error.kind == .missingHost {
            // RFC 9112 §3.2: an HTTP/1.1 request without Host is 400 here; pico does not check.
            #expect(testCase.expect == "complete")
            return
        }
        #expect(ours.name == testCase.expect, "\(ours)")
    }

    @Test("chunked bodies: same verdict and data as picohttpparser, or a listed difference",
          arguments: try cases().filter { $0.kind == "chunked-body" })
    func chunked(_ testCase: Case) throws {
        let raw = try #require(testCase.chunked_b64).base64Bytes
        let (ours, disagreeing) = ChunkedTranscript.runAllFeedings(raw)
        #expect(disagreeing.isEmpty, "feedings disagree: \(disagreeing.prefix(5))")
        if let reason = Self.chunkedDifferences[testCase.line] {
            #expect(ours.outcome != testCase.expect || ours.outcome == "error", "listed difference (\(reason)): \(ours)")
            #expect(ours.outcome == "error")
            return
        }
        // We always read the trailer section (RFC 9112 §7.1.2); pico's consume_trailer=false
        // calls stop after "0\r\n", so there "complete" means "partial, waiting for trailers" here.
        let expected = testCase.consume_trailer == false && testCase.expect == "complete" ? "partial" : testCase.expect
        #expect(ours.outcome == expected, "\(ours)")
        if let decoded = testCase.decoded, expected != "error" {
            #expect(ours.data == Array(decoded.utf8))
        }
    }
}
