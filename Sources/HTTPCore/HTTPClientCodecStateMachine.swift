import NIOCore

/// The protocol decisions of a client connection's codec: remember the method of every
/// request written (pipelining), so each response is framed knowing whether it answers HEAD
/// or CONNECT (RFC 9112 §6.3 rules 1–2); interim 1xx responses do not use up a request.
struct HTTPClientCodecStateMachine: HTTPInboundStateMachine {
    private(set) var parser: HTTPMessageParser
    private var pendingMethods = CircularBuffer<HTTPMethod>(initialCapacity: 4)
    /// Framing of the request body being written.
    private(set) var outboundFraming: HTTPBodyFraming = .none

    init(limits: HTTPParserLimits) {
        parser = HTTPMessageParser(kind: .response, limits: limits)
    }

    var head: HTTPHead { parser.head }

    mutating func requestHeadWritten(_ request: HTTPOutgoingHead) {
        pendingMethods.append(request.method)
        outboundFraming = request.framing
    }

    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> HTTPMessageParser.Event {
        if parser.isIdle { parser.requestMethod = pendingMethods.first ?? .get }
        let event = try parser.parse(bytes)
        if case .end = event {
            let status = parser.head.status
            if (status >= 200 || status == 101), !pendingMethods.isEmpty { pendingMethods.removeFirst() }
            if parser.isTunnel { outboundFraming = .tunnel }
        }
        return event
    }

    mutating func endOfInput(unconsumed: Int) throws(HTTPParseError) -> Bool {
        try parser.endOfInput(unconsumed: unconsumed)
    }
}
