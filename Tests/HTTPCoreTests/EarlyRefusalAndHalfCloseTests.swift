import HTTPCore
import NIOCore
import NIOEmbedded
import Testing

/// Two rules at the edge of a request: a chunked body whose framing is already known to be bad
/// fails before its head is reported, and a client's half-close ends its input without
/// dropping the requests it completed before.
@Suite("Early chunk refusal and client half-close in the server codec")
struct EarlyRefusalAndHalfCloseTests {
    private static let chunkedHead = "POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

    /// Parses `text` in one call after another until an error, collecting the events.
    private static func events(_ text: String) throws(HTTPParseError) -> [HTTPMessageParser.Event] {
        var parser = HTTPMessageParser(kind: .request)
        var bytes = Array(text.utf8)
        var events: [HTTPMessageParser.Event] = []
        while true {
            let result = bytes.withUnsafeBytes { buffer in
                Result { () throws(HTTPParseError) -> HTTPMessageParser.Event in try parser.parse(buffer) }
            }
            let event = try result.get()
            events.append(event)
            switch event {
            case .needMore(let consumed):
                bytes.removeFirst(consumed)
                return events
            case .head(let length): bytes.removeFirst(length)
            case .body(let range): bytes.removeFirst(range.upperBound)
            case .end(let consumed, _): bytes.removeFirst(consumed)
            case .tunnel, .paused: return events
            }
        }
    }

    @Test("a bad first chunk line that came with the head fails at the head, with the stream offset of the bad byte")
    func badFirstChunkWithHead() {
        let head = Self.chunkedHead
        // "0x5": '0' is a hex digit, 'x' is not a valid character after the size.
        #expect(throws: HTTPParseError(.invalidChunkSize, offset: head.utf8.count + 1)) {
            _ = try Self.events(head + "0x5\r\nhello\r\n0\r\n\r\n")
        }
    }

    @Test("a bad later chunk in the same bytes also fails at the head")
    func badLaterChunkWithHead() {
        let head = Self.chunkedHead
        let good = "5\r\nhello\r\n"
        #expect(throws: HTTPParseError(.invalidChunkTerminator, offset: head.utf8.count + good.utf8.count + 6)) {
            _ = try Self.events(head + good + "3\r\nabcX\r\n0\r\n\r\n")
        }
    }

    @Test("a valid chunked body with its head parses as before: head, data, end")
    func validChunkedBody() throws {
        let events = try Self.events(Self.chunkedHead + "5\r\nhello\r\n0\r\n\r\n")
        let kinds = events.map { event -> String in
            switch event {
            case .head: "head"
            case .body: "body"
            case .end: "end"
            case .needMore: "needMore"
            case .tunnel, .paused: "other"
            }
        }
        #expect(kinds == ["head", "body", "end", "needMore"])
    }

    @Test("a bad chunk line that arrives after the head was read still fails, after the head")
    func badChunkInALaterRead() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPServerCodec())
        try channel.writeInbound(ByteBuffer(string: Self.chunkedHead))
        #expect(throws: HTTPParseError(.invalidChunkSize, offset: Self.chunkedHead.utf8.count + 1)) {
            try channel.writeInbound(ByteBuffer(string: "0x5\r\n"))
        }
        guard case .head = try channel.readInbound(as: HTTPInboundPart.self) else {
            Issue.record("the head of the first read was not delivered")
            return
        }
    }

    @Test("the codec fires no part for a request whose head and bad first chunk arrive in one read")
    func codecFiresNothing() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPServerCodec())
        #expect(throws: HTTPParseError(.invalidChunkSize, offset: Self.chunkedHead.utf8.count + 1)) {
            try channel.writeInbound(ByteBuffer(string: Self.chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n"))
        }
        #expect(try channel.readInbound(as: HTTPInboundPart.self) == nil)
    }

    @Test("a half-close after complete pipelined requests delivers both, then passes the event on without an error")
    func halfCloseAfterCompleteRequests() throws {
        let channel = EmbeddedChannel()
        let recorder = EventRecorder()
        try channel.pipeline.syncOperations.addHandlers(HTTPServerCodec(), recorder)
        try channel.writeInbound(ByteBuffer(string: "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(recorder.log == ["head /1", "end", "head /2", "end", "inputClosed"])
    }

    @Test("a half-close inside a request head reports incompleteMessage before the event")
    func halfCloseInsideHead() throws {
        let channel = EmbeddedChannel()
        let recorder = EventRecorder()
        try channel.pipeline.syncOperations.addHandlers(HTTPServerCodec(), recorder)
        try channel.writeInbound(ByteBuffer(string: "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHo"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(recorder.log == ["head /1", "end", "error incompleteMessage", "inputClosed"])
        // The channel closing afterwards does not report it twice.
        _ = try? channel.finish()
        #expect(recorder.log.filter { $0.hasPrefix("error") }.count == 1)
    }

    @Test("a half-close inside a request body reports incompleteMessage")
    func halfCloseInsideBody() throws {
        let channel = EmbeddedChannel()
        let recorder = EventRecorder()
        try channel.pipeline.syncOperations.addHandlers(HTTPServerCodec(), recorder)
        try channel.writeInbound(ByteBuffer(string: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(recorder.log == ["head /", "body", "error incompleteMessage", "inputClosed"])
    }
}

/// Records the parts, errors and events the codec passes on, in order.
private final class EventRecorder: ChannelInboundHandler {
    typealias InboundIn = HTTPInboundPart
    var log: [String] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): log.append("head \(head.target)")
        case .body: log.append("body")
        case .end: log.append("end")
        case .tunnel: log.append("tunnel")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        log.append("error \((error as? HTTPParseError).map { "\($0.kind)" } ?? "\(error)")")
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed { log.append("inputClosed") }
    }
}
