import HTTPCore
import NIOCore
import Testing

/// Forwarding a parsed head with edits, building heads from parts, and the chunked encoder.
@Suite("Serializer")
struct HTTPHeadSerializerTests {
    static func parsed(_ text: String) throws -> HTTPMessageHead {
        var parser = HTTPHeadParser(kind: .request)
        let buffer = ByteBuffer(string: text)
        let progress = try buffer.withUnsafeReadableBytes { try parser.parse($0) }
        #expect(progress == .complete(length: buffer.readableBytes))
        return HTTPMessageHead(bytes: buffer, head: parser.head)
    }

    static func forward(_ head: HTTPMessageHead, _ edits: HTTPHeaderEdits) -> String {
        var out = ByteBuffer()
        head.write(edits: edits, into: &out)
        return String(buffer: out)
    }

    static let request = "GET /a?b HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\nAccept: */*\r\nX-Forwarded-Proto: http\r\nUser-Agent: t\r\n\r\n"

    @Test("forwarding without edits reproduces the head byte for byte")
    func identity() throws {
        let head = try Self.parsed(Self.request)
        #expect(Self.forward(head, HTTPHeaderEdits(removeHopByHop: false)) == Self.request)
    }

    @Test("forwarding removes hop-by-hop fields and the fields Connection names (RFC 9110 §7.6.1)")
    func hopByHop() throws {
        let head = try Self.parsed(Self.request)
        #expect(Self.forward(head, HTTPHeaderEdits()) ==
            "GET /a?b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Forwarded-Proto: http\r\nUser-Agent: t\r\n\r\n")
    }

    @Test("set replaces every copy, add appends, remove is case-insensitive")
    func edits() throws {
        let head = try Self.parsed(Self.request)
        var edits = HTTPHeaderEdits()
        try edits.set("X-Forwarded-Proto", "https")
        try edits.add("X-Forwarded-For", "192.0.2.1")
        try edits.remove("user-agent")
        #expect(Self.forward(head, edits) ==
            "GET /a?b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Forwarded-Proto: https\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n")
    }

    @Test("the forwarded head parses back to the edited fields")
    func roundTrip() throws {
        let head = try Self.parsed(Self.request)
        var edits = HTTPHeaderEdits()
        try edits.add("Via", "1.1 proxyd")
        let again = try Self.parsed(Self.forward(head, edits))
        #expect(again.fields.map(\.name) == ["Host", "Accept", "X-Forwarded-Proto", "User-Agent", "Via"])
        #expect(again.target == "/a?b")
    }

    @Test("an edit value with CR or LF is refused (no header injection)")
    func injection() {
        var edits = HTTPHeaderEdits()
        #expect(throws: HTTPHeaderEdits.Error.invalidValue(name: "X-A")) { try edits.add("X-A", "a\r\nEvil: 1") }
        #expect(throws: HTTPHeaderEdits.Error.invalidName("X A")) { try edits.set("X A", "b") }
    }

    @Test("a response head from parts carries its framing field")
    func responseFromParts() throws {
        let head = try HTTPOutgoingHead.response(status: 404, reason: "Not Found", fields: [("Server", "proxyd")], framing: .contentLength(9))
        #expect(String(buffer: head.bytes) == "HTTP/1.1 404 Not Found\r\nServer: proxyd\r\nContent-Length: 9\r\n\r\n")
        #expect(head.status == 404)
    }

    @Test("a request head from parts knows its method")
    func requestFromParts() throws {
        let head = try HTTPOutgoingHead.request(method: "HEAD", target: "/x", fields: [("Host", "a")], framing: .none)
        #expect(String(buffer: head.bytes) == "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head.method == .head)
    }

    @Test("the chunked encoder writes hex sizes, and the decoder reads back what it wrote")
    func chunkedRoundTrip() throws {
        var wire = ByteBuffer()
        ChunkedBodyEncoder.writeChunk(ByteBuffer(string: String(repeating: "x", count: 300)), into: &wire)
        ChunkedBodyEncoder.writeChunk(ByteBuffer(), into: &wire)
        ChunkedBodyEncoder.writeChunk(ByteBuffer(string: "yz"), into: &wire)
        ChunkedBodyEncoder.writeLastChunk(trailers: ByteBuffer(string: "X-T: 1\r\n"), into: &wire)
        #expect(String(buffer: wire).hasPrefix("12c\r\n"))
        let transcript = ChunkedTranscript.run([Array(wire.readableBytesView)])
        #expect(transcript.complete)
        #expect(transcript.data == Array((String(repeating: "x", count: 300) + "yz").utf8))
        #expect(transcript.trailers == Array("X-T: 1\r\n".utf8))
    }
}
