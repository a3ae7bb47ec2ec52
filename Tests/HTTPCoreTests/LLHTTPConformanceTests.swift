import HTTPCore
import Testing
import TestCorpora

/// llhttp's own test suite (strict-mode `request` and `response` cases) as the oracle: every
/// case it accepts we parse to the same method, target, version, status, fields, body and
/// trailers; every case it rejects we reject; every case where it pauses for CONNECT/Upgrade
/// we pause (requests) or switch to a tunnel (responses) after the same message. Each case is
/// fed whole, byte by byte and split at every point, with identical results. Where we differ
/// on purpose the case is listed below with the RFC reason.
@Suite("llhttp conformance (strict mode)", .needsSharedCorpora)
struct LLHTTPConformanceTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var file: String
        var line: Int
        var heading: String
        var type: String
        var raw_b64: String
        var expected_log: [String]
        var verdict: String
        var `class`: String
        var messages_complete: Int
        var testDescription: String { "\(file):\(line) \(heading)" }
    }

    /// Cases we decide differently from llhttp, by heading, with the reason.
    static let differences: [String: String] = [
        // llhttp knows a fixed method list; RFC 9110 §9.1 makes methods an open set of tokens.
        "HTTP protocol and ANNOUNCE method": "RFC 9110 §9.1: any token is a method; unknown methods are the application's 501",
        // llhttp accepts these; we refuse them.
        "No HTTP version": "RFC 9112 §3: request-line needs HTTP-version; HTTP/0.9 is not supported (400)",
        "M-SEARCH request": "RFC 9112 §3.2.4: asterisk-form is only for OPTIONS (400)",
        "PRI request HTTP2": "RFC 9113 §3.4: the HTTP/2 prior-knowledge preface is not HTTP/1.1; asterisk-form is OPTIONS-only (400)",
        "HTTP version 0.9": "RFC 9110 §2.5 / RFC 9112 §2.3: only HTTP/1.0 and 1.1 are spoken (505)",
        "RTSP response": "RFC 9112 §2.3: HTTP-name is \"HTTP\"; RTSP/ICE are other protocols (400)",
        "ICE response": "RFC 9112 §2.3: HTTP-name is \"HTTP\"; RTSP/ICE are other protocols (400)",
        "SOURCE request with ICE": "RFC 9112 §2.3: HTTP-name is \"HTTP\" (400)",
        "OPTIONS request with RTSP": "RFC 9112 §2.3: HTTP-name is \"HTTP\" (400)",
        "ANNOUNCE request with RTSP": "RFC 9112 §2.3: HTTP-name is \"HTTP\" (400)",
    ]

    static func cases() throws -> [Case] {
        try SharedCorpora.jsonLines("corpora/http/llhttp/llhttp-cases.jsonl", as: Case.self)
            .filter { $0.type == "request" || $0.type == "response" }
    }

    /// llhttp's event log turned into the transcript it implies (spans read from the input by
    /// offset, so no unescaping is needed).
    static func oracle(_ testCase: Case, _ raw: [UInt8])
        -> (messages: [MessageTranscript.Message], error: Bool, paused: Bool, trailingPartialHead: Bool)
    {
        var messages: [MessageTranscript.Message] = []
        var headComplete: [Bool] = []
        var error = false
        var paused = false
        var inTrailers = false
        var pendingName: [UInt8]? = nil
        for entry in testCase.expected_log {
            let parts = entry.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count >= 2, parts[0].hasPrefix("off=") else { continue }
            let rest = entry.dropFirst(parts[0].count + 1)
            if rest.hasPrefix("message begin") {
                messages.append(MessageTranscript.Message())
                headComplete.append(false)
                inTrailers = false
            } else if rest.hasPrefix("message complete") {
                messages[messages.count - 1].complete = true
            } else if rest.hasPrefix("chunk header len=0") {
                inTrailers = true
            } else if rest.hasPrefix("error") {
                error = true
            } else if rest.hasPrefix("pause") {
                paused = true
            } else if rest.hasPrefix("headers complete") {
                headComplete[headComplete.count - 1] = true
                if let status = rest.split(separator: " ").first(where: { $0.hasPrefix("status=") }) {
                    messages[messages.count - 1].status = Int(status.dropFirst(7)) ?? -1
                }
            } else if parts[1].hasPrefix("len="), let offset = Int(parts[0].dropFirst(4)), let length = Int(parts[1].dropFirst(4)) {
                let bytes = Array(raw[offset..<min(raw.count, offset + length)])
                let kind = parts[2].drop(while: { $0 != "[" }).dropFirst().prefix(while: { $0 != "]" })
                var message = messages[messages.count - 1]
                switch kind {
                case "method": message.method += bytes
                case "url": message.target += bytes
                case "version": message.version = bytes == Array("1.0".utf8) ? .http1_0 : .http1_1
                case "header_field":
                    if let name = pendingName, !inTrailers { message.fields.append(.init(name: name, value: [])) }
                    pendingName = (pendingName == nil ? [] : []) + bytes
                case "header_value":
                    var value = bytes
                    while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
                    let field = MessageTranscript.Field(name: pendingName ?? [], value: value)
                    if inTrailers { message.trailers.append(field) } else { message.fields.append(field) }
                    pendingName = nil
                case "body": message.body += bytes
                default: break
                }
                messages[messages.count - 1] = message
            }
        }
        // llhttp reports "message begin" for a head that never completes; we keep those bytes
        // unconsumed instead.
        var trailingPartialHead = false
        while let last = headComplete.last, !last {
            headComplete.removeLast()
            messages.removeLast()
            trailingPartialHead = true
        }
        return (messages, error, paused, trailingPartialHead)
    }

    /// llhttp's harness answers some responses as if to HEAD ("skip body" in the log).
    static func requestMethod(_ testCase: Case) -> HTTPMethod {
        testCase.expected_log.contains { $0.hasSuffix("skip body") } ? .head : .get
    }

    /// Fields compared as llhttp reports them: name bytes and value bytes.
    static func sameMessages(_ ours: [MessageTranscript.Message], _ theirs: [MessageTranscript.Message], kind: String) -> Bool {
        guard ours.count == theirs.count else { return false }
        for (a, b) in zip(ours, theirs) {
            if kind == "request" {
                guard a.method == b.method, a.target == b.target else { return false }
            } else if a.status != b.status {
                return false
            }
            guard a.version == b.version, a.fields == b.fields, a.body == b.body, a.trailers == b.trailers,
                a.complete == b.complete
            else { return false }
        }
        return true
    }

    @Test("every strict-mode case: same outcome as llhttp, or a listed difference", arguments: try cases())
    func conformance(_ testCase: Case) throws {
        let raw = testCase.raw_b64.base64Bytes
        let kind: HTTPMessageKind = testCase.type == "request" ? .request : .response
        let (ours, disagreeing) = MessageTranscript.runAllFeedings(kind, raw, requestMethod: Self.requestMethod(testCase))
        #expect(disagreeing.isEmpty, "feedings disagree with whole input: \(disagreeing.prefix(5))")
        let expected = Self.oracle(testCase, raw)

        if let reason = Self.differences[testCase.heading] {
            // A listed difference must really be one (or be explicitly "accepted by both").
            let agrees = !expected.error && ours.error == nil && Self.sameMessages(ours.messages, expected.messages, kind: testCase.type)
            #expect(agrees == reason.hasPrefix("accepted by both"), "listed difference \(reason): ours \(ours)")
            return
        }
        // RFC 9112 §3.2: HTTP/1.1 requests without Host are 400 for us; llhttp does not check.
        if ours.error?.kind == .missingHost && testCase.class != "reject" {
            #expect(kind == .request)
            let completeBefore = ours.messages.filter(\.complete).count
            let theirs = expected.messages.count > completeBefore ? expected.messages[completeBefore] : nil
            #expect(theirs.map { m in m.version == .http1_1 && !m.fields.contains { $0.name.lowercased() == Array("host".utf8) } } ?? false,
                    "missingHost but the llhttp message has a Host: \(ours)")
            return
        }
        switch testCase.class {
        case "ok":
            #expect(ours.error == nil, "llhttp accepts; we: \(ours)")
            #expect(Self.sameMessages(ours.messages, expected.messages, kind: testCase.type),
                    "ours \(ours.messages) vs llhttp \(expected.messages)")
            if expected.trailingPartialHead { #expect(ours.unconsumed > 0) }
        case "reject":
            #expect(ours.error != nil, "llhttp rejects; we accepted: \(ours)")
        case "upgrade":
            // llhttp pauses after the head of CONNECT/Upgrade; we finish that message's body and
            // pause (requests) or switch to a tunnel (101 responses).
            #expect(ours.error == nil, "\(ours)")
            #expect(ours.messages.filter(\.complete).count == testCase.messages_complete)
            if kind == .request { #expect(ours.paused) } else { #expect(ours.messages.last?.framing == .tunnel) }
        case "data_after_close":
            #expect(ours.error?.kind == .dataAfterClose, "\(ours)")
            #expect(ours.messages.filter(\.complete).count == testCase.messages_complete)
        default:
            Issue.record("unknown class \(testCase.class)")
        }
    }
}

extension Array where Element == UInt8 {
    func lowercased() -> [UInt8] { map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
}

extension LLHTTPConformanceTests {
    /// How the cases divide up, so a change in the corpus or in our rules is noticed: the
    /// counts are part of the documented result (README "HTTPCore").
    @Test("the corpus divides into compared, rejected-by-both, listed and Host-rule cases")
    func summary() throws {
        var counts: [String: Int] = [:]
        for testCase in try Self.cases() {
            let raw = testCase.raw_b64.base64Bytes
            let kind: HTTPMessageKind = testCase.type == "request" ? .request : .response
            let ours = MessageTranscript.run(kind, chunks: [raw], requestMethod: Self.requestMethod(testCase))
            let bucket: String
            if Self.differences[testCase.heading] != nil {
                bucket = "listed difference"
            } else if ours.error?.kind == .missingHost && testCase.class != "reject" {
                bucket = "accepted by llhttp, 400 missingHost here"
            } else {
                bucket = "\(testCase.class) agreed"
            }
            counts[bucket, default: 0] += 1
        }
        #expect(counts == [
            "ok agreed": 59, "reject agreed": 73, "upgrade agreed": 8, "data_after_close agreed": 5,
            "listed difference": 10, "accepted by llhttp, 400 missingHost here": 55,
        ], "\(counts.sorted { $0.key < $1.key })")
    }
}
