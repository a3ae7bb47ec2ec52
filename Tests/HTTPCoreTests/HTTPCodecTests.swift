import HTTPCore
import NIOCore
import NIOEmbedded
import Testing

/// The NIO codecs on an EmbeddedChannel: parts out of bytes (body as slices), bytes out of
/// parts, upgrades, errors and end of input.
@Suite("NIO codecs")
struct HTTPCodecTests {
    static func plus(_ lhs: ByteBuffer, _ rhs: [UInt8]) -> ByteBuffer {
        var out = lhs
        out.writeBytes(rhs)
        return out
    }

    static func serverChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPServerCodec())
        return channel
    }

    static func clientChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPClientCodec())
        return channel
    }

    static func readParts(_ channel: EmbeddedChannel) throws -> [HTTPInboundPart] {
        var parts: [HTTPInboundPart] = []
        while let part = try channel.readInbound(as: HTTPInboundPart.self) { parts.append(part) }
        return parts
    }

    static func written(_ channel: EmbeddedChannel) throws -> String {
        var out = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { out += String(buffer: buffer) }
        return out
    }

    @Test("the codec says when it holds the start of a head, and not once the head is complete")
    func bufferedInput() throws {
        let codec = HTTPServerCodec()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(codec)
        #expect(!codec.hasBufferedInput)
        try channel.writeInbound(ByteBuffer(string: "GET / HT"))
        #expect(codec.hasBufferedInput)
        try channel.writeInbound(ByteBuffer(string: "TP/1.1\r\nHost: a\r\n\r\n"))
        #expect(!codec.hasBufferedInput)
        #expect(try Self.readParts(channel).count == 2)
    }

    @Test("a request split across reads arrives as head, body and end")
    func splitRequest() throws {
        let channel = try Self.serverChannel()
        try channel.writeInbound(ByteBuffer(string: "POST /u HTTP/1.1\r\nHo"))
        try channel.writeInbound(ByteBuffer(string: "st: a\r\nContent-Length: 5\r\n\r\nhel"))
        try channel.writeInbound(ByteBuffer(string: "lo"))
        let parts = try Self.readParts(channel)
        guard parts.count == 4, case .head(let head) = parts[0] else { Issue.record("\(parts)"); return }
        #expect(head.methodName == "POST" && head.target == "/u" && head.firstValue("host") == "a")
        #expect(head.firstValue(of: .host) == "a" && head.firstValue(of: .contentLength) == "5")
        #expect(head.firstValue(of: .upgrade) == nil)
        #expect(parts[1] == .body(ByteBuffer(string: "hel")))
        #expect(parts[2] == .body(ByteBuffer(string: "lo")))
        #expect(parts[3] == .end(trailers: nil))
    }

    @Test("body parts are slices of the received buffer, not copies")
    func zeroCopyBody() throws {
        let channel = try Self.serverChannel()
        let head = "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n"
        let input = ByteBuffer(string: head + "data")
        let inputAddress = input.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        try channel.writeInbound(input)
        let parts = try Self.readParts(channel)
        guard case .body(let body) = parts[1] else { Issue.record("\(parts)"); return }
        let bodyAddress = body.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(bodyAddress == inputAddress + UInt(head.utf8.count))
    }

    @Test("a chunked response is chunk-encoded on the way out")
    func chunkedResponse() throws {
        let channel = try Self.serverChannel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        _ = try Self.readParts(channel)
        try channel.writeOutbound(HTTPOutboundPart.head(try .response(status: 200, reason: "OK", framing: .chunked)))
        try channel.writeOutbound(HTTPOutboundPart.body(ByteBuffer(string: "hello")))
        try channel.writeOutbound(HTTPOutboundPart.end(trailers: nil))
        #expect(try Self.written(channel) == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    }

    @Test("after an Upgrade request, decoding waits for the response; 101 turns the rest into tunnel bytes")
    func upgrade() throws {
        let channel = try Self.serverChannel()
        try channel.writeInbound(Self.plus(ByteBuffer(string: "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"), [0x81, 0x00]))
        let before = try Self.readParts(channel)
        #expect(before.count == 2)  // head, end; the frame bytes wait
        try channel.writeOutbound(HTTPOutboundPart.head(try .response(
            status: 101, reason: "Switching Protocols", fields: [("Upgrade", "websocket"), ("Connection", "Upgrade")], framing: .none)))
        #expect(try Self.readParts(channel) == [.tunnel(ByteBuffer(bytes: [0x81, 0x00]))])
    }

    @Test("a declined Upgrade resumes HTTP parsing with the next request")
    func upgradeDeclined() throws {
        let channel = try Self.serverChannel()
        try channel.writeInbound(ByteBuffer(string: "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try Self.readParts(channel).count == 2)
        try channel.writeOutbound(HTTPOutboundPart.head(try .response(status: 200, reason: "OK", framing: .contentLength(0))))
        let parts = try Self.readParts(channel)
        guard case .head(let next) = parts.first else { Issue.record("\(parts)"); return }
        #expect(next.target == "/next")
    }

    @Test("a malformed request fires the typed error and stops decoding")
    func parseError() throws {
        let channel = try Self.serverChannel()
        #expect(throws: HTTPParseError(.obsoleteLineFolding, offset: 25)) {
            try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n"))
        }
    }

    @Test("the client frames a response to HEAD without body, then the next pipelined response")
    func headResponse() throws {
        let channel = try Self.clientChannel()
        try channel.writeOutbound(HTTPOutboundPart.head(try .request(method: "HEAD", target: "/", fields: [("Host", "a")], framing: .none)))
        try channel.writeOutbound(HTTPOutboundPart.end(trailers: nil))
        try channel.writeOutbound(HTTPOutboundPart.head(try .request(method: "GET", target: "/", fields: [("Host", "a")], framing: .none)))
        try channel.writeOutbound(HTTPOutboundPart.end(trailers: nil))
        #expect(try Self.written(channel) == "HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"))
        let parts = try Self.readParts(channel)
        #expect(parts.count == 5)
        #expect(parts[1] == .end(trailers: nil))
        #expect(parts[3] == .body(ByteBuffer(string: "abc")))
    }

    @Test("a response delimited by close ends when the server closes")
    func untilClose() throws {
        let channel = try Self.clientChannel()
        try channel.writeOutbound(HTTPOutboundPart.head(try .request(method: "GET", target: "/", fields: [("Host", "a")], framing: .none)))
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.0 200 OK\r\n\r\nbody"))
        _ = try channel.finish()
        let parts = try Self.readParts(channel)
        #expect(parts.count == 3)
        #expect(parts.last == .end(trailers: nil))
    }

    @Test("chunked trailers pass through the client codec as raw field lines")
    func trailers() throws {
        let channel = try Self.clientChannel()
        try channel.writeOutbound(HTTPOutboundPart.head(try .request(method: "GET", target: "/", fields: [("Host", "a")], framing: .none)))
        try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n"))
        let parts = try Self.readParts(channel)
        #expect(parts.last == .end(trailers: ByteBuffer(string: "X-T: 1\r\n")))
    }
}

extension HTTPCodecTests {
    @Test("parts are no larger than NIOAny's inline storage (three words), so body parts are not boxed")
    func partSize() {
        #expect(MemoryLayout<HTTPInboundPart>.size <= 3 * MemoryLayout<Int>.size)
        #expect(MemoryLayout<HTTPOutboundPart>.size <= 3 * MemoryLayout<Int>.size)
    }
}

extension HTTPCodecTests {
    @Test("the server drops a request pipelined after Connection: close, without an error (RFC 9112 §9.6)")
    func afterClose() throws {
        let channel = try Self.serverChannel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"))
        let parts = try Self.readParts(channel)
        #expect(parts.count == 2)  // head and end of the first request only
    }
}
