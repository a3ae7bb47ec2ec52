import HTTPCore
import Testing

/// Everything a message parser reported for one input, as plain values that can be compared
/// between feeding strategies (whole, byte by byte, split at every point) and with oracles.
struct MessageTranscript: Equatable, CustomStringConvertible {
    struct Field: Equatable, CustomStringConvertible {
        var name: [UInt8]
        var value: [UInt8]
        var description: String { "\(String(decoding: name, as: UTF8.self)): \(String(decoding: value, as: UTF8.self))" }
    }

    struct Message: Equatable, CustomStringConvertible {
        var method: [UInt8] = []
        var target: [UInt8] = []
        var version: HTTPVersion = .http1_1
        var status = 0
        var fields: [Field] = []
        var framing: HTTPBodyFraming = .none
        var keepAlive = true
        var body: [UInt8] = []
        var trailers: [Field] = []
        var complete = false
        var description: String {
            "\(String(decoding: method, as: UTF8.self)) \(String(decoding: target, as: UTF8.self)) \(version) \(status) \(fields) \(framing) body=\(body.count)B \(complete ? "complete" : "partial")"
        }
    }

    var messages: [Message] = []
    var error: HTTPParseError?
    var paused = false
    var tunnel: [UInt8] = []
    /// Bytes received but not consumed when input ended.
    var unconsumed = 0
    /// True when input ended in the middle of a message (or with unparsed bytes).
    var partial: Bool { unconsumed > 0 || (messages.last.map { !$0.complete } ?? false) }

    /// What the parser decided, for comparing feedings. A request an error cut short after its
    /// head was reported, and the same request refused before its head (its chunked framing
    /// already bad in the bytes that came with the head, see `HTTPMessageParser`), are one
    /// verdict: the error, and the messages completed before it.
    var verdict: MessageTranscript {
        guard error != nil, let last = messages.last, !last.complete else { return self }
        var cut = self
        cut.messages.removeLast()
        return cut
    }

    var description: String {
        "messages=\(messages) error=\(error.map(String.init(describing:)) ?? "none") paused=\(paused) tunnel=\(tunnel.count)B unconsumed=\(unconsumed)"
    }

    /// Parses `chunks` (delivered in order) with a fresh parser of `kind`.
    static func run(_ kind: HTTPMessageKind, chunks: [[UInt8]], limits: HTTPParserLimits = .default,
                    requestMethod: HTTPMethod = .get) -> MessageTranscript {
        var parser = HTTPMessageParser(kind: kind, limits: limits)
        parser.requestMethod = requestMethod
        var transcript = MessageTranscript()
        var pending: [UInt8] = []
        feeding: for chunk in chunks {
            pending += chunk
            while true {
                let event: HTTPMessageParser.Event
                do {
                    event = try pending.withUnsafeBytes { try parser.parse($0) }
                } catch let error as HTTPParseError {
                    transcript.error = error
                    break feeding
                } catch {
                    Issue.record("parse threw an untyped error: \(error)")
                    break feeding
                }
                switch event {
                case .needMore(let consumed):
                    pending.removeFirst(consumed)
                    continue feeding
                case .head(let length):
                    let head = parser.head
                    var message = Message()
                    message.method = Array(pending[head.methodRange])
                    message.target = Array(pending[head.targetRange])
                    message.version = head.version
                    message.status = head.status
                    message.fields = head.fields.map { Field(name: Array(pending[$0.nameRange]), value: Array(pending[$0.valueRange])) }
                    message.framing = head.framing
                    message.keepAlive = head.keepAlive
                    transcript.messages.append(message)
                    pending.removeFirst(length)
                case .body(let range):
                    transcript.messages[transcript.messages.count - 1].body += pending[range]
                    pending.removeFirst(range.upperBound)
                case .end(let consumed, let trailers):
                    transcript.messages[transcript.messages.count - 1].trailers = splitFields(Array(pending[trailers]))
                    transcript.messages[transcript.messages.count - 1].complete = true
                    pending.removeFirst(consumed)
                case .tunnel(let range):
                    transcript.tunnel += pending[range]
                    pending.removeFirst(range.upperBound)
                case .paused:
                    transcript.paused = true
                    break feeding
                }
            }
        }
        // Counted from the parser's position, so a pause reports the same number however the
        // input was split.
        let total = chunks.reduce(0) { $0 + $1.count }
        transcript.unconsumed = transcript.error == nil ? total - parser.streamOffset : 0
        return transcript
    }

    /// Splits validated field lines ("name: value\r\n"...) into fields.
    static func splitFields(_ bytes: [UInt8]) -> [Field] {
        var fields: [Field] = []
        var lineStart = 0
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0x0D && bytes[i + 1] == 0x0A {
                let line = bytes[lineStart..<i]
                if let colon = line.firstIndex(of: 0x3A) {
                    let name = Array(line[lineStart..<colon])
                    var value = Array(line[(colon + 1)...])
                    while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
                    while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
                    fields.append(Field(name: name, value: value))
                }
                i += 2
                lineStart = i
            } else {
                i += 1
            }
        }
        return fields
    }

    /// The input whole, byte by byte, and split in two at every point.
    static func feedings(of bytes: [UInt8]) -> [(String, [[UInt8]])] {
        var result: [(String, [[UInt8]])] = [("whole", [bytes]), ("byte by byte", bytes.map { [$0] })]
        if bytes.count > 1 {
            for split in 1..<bytes.count {
                result.append(("split at \(split)", [Array(bytes[..<split]), Array(bytes[split...])]))
            }
        }
        return result
    }

    /// Runs every feeding of `bytes` and returns the whole-input transcript plus the names of
    /// feedings that disagreed with it.
    static func runAllFeedings(_ kind: HTTPMessageKind, _ bytes: [UInt8], limits: HTTPParserLimits = .default,
                               requestMethod: HTTPMethod = .get)
        -> (whole: MessageTranscript, disagreeing: [String])
    {
        let whole = run(kind, chunks: [bytes], limits: limits, requestMethod: requestMethod)
        var disagreeing: [String] = []
        for (name, chunks) in feedings(of: bytes).dropFirst()
        where run(kind, chunks: chunks, limits: limits, requestMethod: requestMethod).verdict != whole.verdict {
            disagreeing.append(name)
        }
        return (whole, disagreeing)
    }
}
