import HTTPCore

/// Reads the response to a health check request until its status is known: the pure half of
/// an HTTP probe (the channel handler only feeds it bytes and acts on the verdict).
///
/// Only the head matters — the body is never read: the probe closes the connection as soon
/// as the status is known. Interim 1xx responses (RFC 9110 §15.2) are skipped, except 101,
/// which ends HTTP on the connection and is judged like any final status.
struct HealthProbeResponseReader: Sendable {
    /// What one `read` found.
    enum Step: Sendable, Hashable {
        /// The head is not complete yet.
        case needMore
        /// The verdict.
        case done(ProbeResult)
    }

    let expectedStatus: ClosedRange<Int>
    private var parser = HTTPHeadParser(kind: .response)
    /// Bytes of the head being parsed (HTTPHeadParser resumes over all bytes of a message).
    private var pending: [UInt8] = []
    private var verdict: ProbeResult?

    init(expectedStatus: ClosedRange<Int>) {
        self.expectedStatus = expectedStatus
    }

    /// Feeds the next bytes received.
    mutating func read(_ bytes: some Sequence<UInt8>) -> Step {
        if let verdict { return .done(verdict) }
        pending.append(contentsOf: bytes)
        while true {
            let received = pending
            let outcome = received.withUnsafeBytes { bytes in
                Result { () throws(HTTPParseError) in try parser.parse(bytes) }
            }
            let progress: HTTPHeadParser.Progress
            switch outcome {
            case .success(let value): progress = value
            case .failure(let error): return .done(conclude(.failed(.malformedResponse(reason: error.description))))
            }
            guard case .complete(let length) = progress else { return .needMore }
            let status = parser.head.status
            if (100..<200).contains(status) && status != 101 {
                pending.removeFirst(length)
                parser.reset()
                continue
            }
            return .done(conclude(expectedStatus.contains(status) ? .passed(status: status) : .failed(.unexpectedStatus(status, expected: expectedStatus))))
        }
    }

    /// The endpoint closed the connection: without a complete head that is a failure.
    mutating func endOfInput() -> ProbeResult {
        verdict ?? conclude(.failed(.closedBeforeResponse))
    }

    private mutating func conclude(_ result: ProbeResult) -> ProbeResult {
        verdict = result
        return result
    }
}
