import DNSWire
import NIOCore

/// Decides whether a datagram or TCP message is the answer to one query (RFC 5452 §9.1):
/// it must come from the nameserver queried (address and port), carry the query's ID and
/// QR = 1, use opcode QUERY, and repeat the question (name case-insensitively, type, class).
/// Everything else is dropped by the caller, which keeps waiting for the real answer, so a
/// spoofed or stray packet can neither poison the result nor end the wait early.
///
/// Pure: no I/O, so every rule is tested with hand-made bytes.
struct ResponseMatcher: Sendable {
    /// The outcome for one received message.
    enum Verdict: Sendable {
        /// The answer to the query.
        case accept(Message)
        /// The answer to the query, truncated (TC) so badly that it does not decode; only the
        /// header was readable. The caller retries over TCP, where the answer is checked again.
        case truncatedUndecodable(Header)
        /// Not from the nameserver queried (address or port differ).
        case wrongSource(SocketAddress?)
        /// Decodes, but answers something else: `reason` says which check failed.
        case mismatched(reason: String)
        /// Does not decode as a DNS message.
        case malformed(DNSWireError)
    }

    /// The ID sent.
    let id: UInt16
    /// The question sent.
    let question: Question
    /// Where the query was sent; nil for TCP, where the connection fixes the peer.
    let nameserver: SocketAddress?

    /// Checks `bytes` received from `source`.
    func check(_ bytes: some Collection<UInt8>, from source: SocketAddress?) -> Verdict {
        if let nameserver, source != nameserver {
            return .wrongSource(source)
        }
        let message: Message
        do {
            message = try Message(decoding: bytes)
        } catch {
            // A TC answer may be cut inside a record; its header still says "retry over TCP".
            if let header = try? Header(decoding: bytes), header.truncated, headerMatches(header) == nil {
                return .truncatedUndecodable(header)
            }
            return .malformed(error)
        }
        if let reason = headerMatches(message.header) {
            return .mismatched(reason: reason)
        }
        guard message.questions.count == 1, let echoed = message.questions.first else {
            return .mismatched(reason: "\(message.questions.count) questions instead of 1")
        }
        // DomainName equality ignores ASCII case (RFC 4343), as the 0x20 rule needs.
        guard echoed.name == question.name else {
            return .mismatched(reason: "question name \(echoed.name) instead of \(question.name)")
        }
        guard echoed.type == question.type, echoed.recordClass == question.recordClass else {
            return .mismatched(reason: "question \(echoed.type)/\(echoed.recordClass) instead of \(question.type)/\(question.recordClass)")
        }
        return .accept(message)
    }

    /// nil when the header answers our query, else why not.
    private func headerMatches(_ header: Header) -> String? {
        if header.id != id { return "ID \(header.id) instead of \(id)" }
        if !header.isResponse { return "QR bit clear (a query, not a response)" }
        if header.opcode != .query { return "opcode \(header.opcode) instead of QUERY" }
        return nil
    }
}
