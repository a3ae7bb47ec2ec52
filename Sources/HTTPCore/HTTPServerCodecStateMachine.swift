/// The protocol decisions of a server connection's codec: parse requests, and decide from
/// each response head whether a paused CONNECT/Upgrade request turned the connection into a
/// tunnel (RFC 9110 §7.8, §9.3.6). `HTTPServerCodec` only performs what this says.
struct HTTPServerCodecStateMachine: HTTPInboundStateMachine {
    private(set) var parser: HTTPMessageParser
    /// Framing of the response body being written.
    private(set) var outboundFraming: HTTPBodyFraming = .none

    init(limits: HTTPParserLimits) {
        parser = HTTPMessageParser(kind: .request, limits: limits)
    }

    var head: HTTPHead { parser.head }

    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPMessageParser.Event {
        try parser.parse(bytes)
    }

    /// What the handler does after a response head was written.
    enum AfterResponseHead: Equatable {
        case nothing
        /// The parser was waiting for this decision: decode what was buffered.
        case resumeDecoding
    }

    mutating func responseHeadWritten(_ response: HTTPOutgoingHead) -> AfterResponseHead {
        outboundFraming = response.framing
        guard parser.isAwaitingUpgradeDecision else { return .nothing }
        let request = parser.head
        let switched = (response.status == 101 && request.requestsUpgrade)
            || (request.method == .connect && (200..<300).contains(response.status))
        if switched {
            parser.upgradeAccepted()
            outboundFraming = .tunnel
            return .resumeDecoding
        }
        if response.status >= 200 {
            parser.upgradeDeclined()
            return .resumeDecoding
        }
        return .nothing  // an interim response: still undecided
    }

    /// The client closed: true when that completed a message.
    mutating func endOfInput(unconsumed: Int) throws(HTTPParseError) -> Bool {
        try parser.endOfInput(unconsumed: unconsumed)
    }
}
