import HTTPCore
import Testing

/// The verdict of the stand-alone head parser on an input, as picohttpparser and httparse
/// state theirs: complete, partial (need more), or a typed error.
enum HeadOutcome: Equatable, CustomStringConvertible {
    case complete(length: Int)
    case partial
    case error(HTTPParseError)

    var description: String {
        switch self {
        case .complete(let length): "complete(\(length))"
        case .partial: "partial"
        case .error(let error): "error(\(error))"
        }
    }

    var name: String {
        switch self {
        case .complete: "complete"
        case .partial: "partial"
        case .error: "error"
        }
    }

    /// Parses the growing prefixes `ends` (each a length into `bytes`) with one parser, the way
    /// a connection delivers them, and returns the verdict after the last.
    static func run(_ kind: HTTPMessageKind, _ bytes: [UInt8], prefixes ends: [Int]) -> HeadOutcome {
        var parser = HTTPHeadParser(kind: kind)
        var outcome = HeadOutcome.partial
        for end in ends {
            do {
                let progress = try bytes[..<end].withUnsafeBytes { try parser.parse($0) }
                switch progress {
                case .needMore: outcome = .partial
                case .complete(let length): return .complete(length: length)
                }
            } catch let error as HTTPParseError {
                return .error(error)
            } catch {
                Issue.record("untyped error \(error)")
                return .partial
            }
        }
        return outcome
    }

    /// The verdict for the whole input, and the feedings (byte by byte, every split) that
    /// disagree with it.
    static func runAllFeedings(_ kind: HTTPMessageKind, _ bytes: [UInt8]) -> (whole: HeadOutcome, disagreeing: [String]) {
        let whole = run(kind, bytes, prefixes: [bytes.count])
        var disagreeing: [String] = []
        if run(kind, bytes, prefixes: Array(0...bytes.count)) != whole { disagreeing.append("byte by byte") }
        if bytes.count > 1 {
            for split in 1..<bytes.count where run(kind, bytes, prefixes: [split, bytes.count]) != whole {
                disagreeing.append("split at \(split)")
            }
        }
        return (whole, disagreeing)
    }
}

/// What a `ChunkedBodyDecoder` reported for one input.
struct ChunkedTranscript: Equatable, CustomStringConvertible {
    var data: [UInt8] = []
    var trailers: [UInt8] = []
    var complete = false
    var error: HTTPParseError?
    /// Bytes of the input the decoder consumed.
    var consumed = 0
    /// Offset at which the first data byte was found, if any.
    var firstDataAt: Int?

    var outcome: String { error != nil ? "error" : complete ? "complete" : "partial" }
    var description: String { "\(outcome) data=\(data.count)B consumed=\(consumed) \(error.map(String.init(describing:)) ?? "")" }

    static func run(_ chunks: [[UInt8]], limits: HTTPParserLimits = .default) -> ChunkedTranscript {
        var decoder = ChunkedBodyDecoder(limits: limits)
        var transcript = ChunkedTranscript()
        var pending: [UInt8] = []
        feeding: for chunk in chunks {
            pending += chunk
            while true {
                do {
                    let event = try pending.withUnsafeBytes { try decoder.decode($0) }
                    switch event {
                    case .needMore(let consumed):
                        pending.removeFirst(consumed)
                        transcript.consumed += consumed
                        continue feeding
                    case .data(let range):
                        if transcript.firstDataAt == nil { transcript.firstDataAt = transcript.consumed + range.lowerBound }
                        transcript.data += pending[range]
                        pending.removeFirst(range.upperBound)
                        transcript.consumed += range.upperBound
                    case .end(let consumed, let trailers):
                        transcript.trailers = Array(pending[trailers])
                        transcript.complete = true
                        pending.removeFirst(consumed)
                        transcript.consumed += consumed
                        break feeding
                    }
                } catch let error as HTTPParseError {
                    transcript.error = error
                    transcript.consumed = 0
                    break feeding
                } catch {
                    Issue.record("untyped error \(error)")
                    break feeding
                }
            }
        }
        return transcript
    }

    static func runAllFeedings(_ bytes: [UInt8], limits: HTTPParserLimits = .default) -> (whole: ChunkedTranscript, disagreeing: [String]) {
        let whole = run([bytes], limits: limits)
        var disagreeing: [String] = []
        for (name, chunks) in MessageTranscript.feedings(of: bytes).dropFirst() {
            var other = run(chunks, limits: limits)
            other.firstDataAt = whole.firstDataAt  // where data starts is reported per delivery
            if other != whole { disagreeing.append(name) }
        }
        return (whole, disagreeing)
    }
}
