import HTTPCore
import Testing

/// What a proxy needs to know about a message beyond its syntax: persistence, connection
/// options, expectations, bodiless responses, trailers, pipelining and tunnels.
@Suite("Message semantics")
struct MessageSemanticsTests {
    @Test("an HTTP/1.1 request is persistent unless Connection: close (RFC 9112 §9.3)")
    func keepAlive11() {
        #expect(Rule.parse(.request, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").messages.first?.keepAlive == true)
        #expect(Rule.parse(.request, "GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").messages.first?.keepAlive == false)
    }

    @Test("an HTTP/1.0 request is persistent only with Connection: keep-alive")
    func keepAlive10() {
        #expect(Rule.parse(.request, "GET / HTTP/1.0\r\n\r\n").messages.first?.keepAlive == false)
        #expect(Rule.parse(.request, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").messages.first?.keepAlive == true)
    }

    @Test("Connection tokens are read case-insensitively from every Connection field")
    func connectionTokens() throws {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, X-Foo\r\nconnection: UPGRADE\r\nUpgrade: websocket\r\n\r\n"
        let head = try Self.head(.request, text)
        #expect(head.connection == [.keepAlive, .other, .upgrade])
        #expect(head.requestsUpgrade)
    }

    @Test("the hop-by-hop set is Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Proxy-Auth*")
    func hopByHop() throws {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nConnection: x\r\nKeep-Alive: 5\r\nProxy-Connection: k\r\nTE: trailers\r\nTrailer: X\r\nUpgrade: y\r\nProxy-Authorization: z\r\nAccept: */*\r\n\r\n"
        let head = try Self.head(.request, text)
        #expect(head.fields.map(\.known.isHopByHop) == [false, true, true, true, true, true, true, true, false])
    }

    @Test("Expect: 100-continue is recognised in HTTP/1.1 and ignored in HTTP/1.0 (RFC 9110 §10.1.1)")
    func expectContinue() throws {
        let body = "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n"
        #expect(try Self.head(.request, body).expectsContinue)
        #expect(try !Self.head(.request, "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n").expectsContinue)
    }

    @Test("a 1xx response has no body and the final response follows on the same connection")
    func interimResponse() {
        let result = Rule.parse(.response, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(result.messages.map(\.status) == [100, 200])
        #expect(result.messages.map(\.complete) == [true, true])
        #expect(result.messages[1].body == Array("ok".utf8))
    }

    @Test("204 and 304 responses have no body even with Content-Length (RFC 9112 §6.3 rule 1)", arguments: [204, 304])
    func bodilessStatus(_ status: Int) {
        let result = Rule.parse(.response, "HTTP/1.1 \(status) X\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(result.messages.map(\.framing) == [.none, .contentLength(0)])
        #expect(result.error == nil)
    }

    @Test("a response to HEAD has no body whatever its Content-Length says")
    func headResponse() {
        let result = Rule.parse(.response, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", requestMethod: .head)
        #expect(result.messages.first?.framing == HTTPBodyFraming.none)
        #expect(result.messages.first?.complete == true)
    }

    @Test("a 2xx response to CONNECT becomes a tunnel right after the head (rule 2)")
    func connectTunnel() {
        let result = Rule.parse(.response, "HTTP/1.1 200 Connection established\r\n\r\n\u{16}\u{3}\u{1}", requestMethod: .connect)
        #expect(result.messages.first?.framing == .tunnel)
        #expect(result.tunnel == [0x16, 0x03, 0x01])
    }

    @Test("a 101 response switches to a tunnel")
    func switchingProtocols() {
        let result = Rule.parse(.response, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nframes")
        #expect(result.messages.first?.framing == .tunnel)
        #expect(result.tunnel == Array("frames".utf8))
    }

    @Test("a response without length is read until close, and is not persistent (rule 8)")
    func untilClose() {
        let result = Rule.parse(.response, "HTTP/1.1 200 OK\r\n\r\nall of it")
        #expect(result.messages.first?.framing == .untilClose)
        #expect(result.messages.first?.keepAlive == false)
        #expect(result.messages.first?.body == Array("all of it".utf8))
    }

    @Test("end of input completes an until-close response and cuts a Content-Length one short")
    func endOfInput() throws {
        var parser = HTTPMessageParser(kind: .response)
        let bytes = Array("HTTP/1.1 200 OK\r\n\r\nx".utf8)
        _ = try bytes.withUnsafeBytes { try parser.parse($0) }
        #expect(try parser.endOfInput(unconsumed: 0))
        var cut = HTTPMessageParser(kind: .response)
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n".utf8)
        _ = try head.withUnsafeBytes { try cut.parse($0) }
        #expect(throws: HTTPParseError(.incompleteMessage, offset: head.count)) { try cut.endOfInput(unconsumed: 0) }
    }

    @Test("chunked trailers are delivered as validated field lines")
    func trailers() {
        let result = Rule.parse(.request, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-B: 2\r\n\r\n")
        #expect(result.messages.first?.body == Array("abc".utf8))
        #expect(result.messages.first?.trailers == [.init(name: Array("X-Sum".utf8), value: Array("1".utf8)), .init(name: Array("X-B".utf8), value: Array("2".utf8))])
    }

    @Test("pipelined requests are parsed one after another")
    func pipelining() {
        let result = Rule.parse(.request, "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nxGET /c HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(result.messages.map { String(decoding: $0.target, as: UTF8.self) } == ["/a", "/b", "/c"])
        #expect(result.messages.map(\.complete) == [true, true, true])
    }

    @Test("empty lines before a request line are skipped (RFC 9112 §2.2)")
    func leadingEmptyLines() {
        let result = Rule.parse(.request, "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(result.error == nil)
        #expect(result.messages.count == 1)
    }

    @Test("an Upgrade request pauses the parser until the server decides")
    func upgradePause() throws {
        var parser = HTTPMessageParser(kind: .request)
        let bytes = Array("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        var offset = 0
        func next() throws -> HTTPMessageParser.Event {
            let event = try bytes[offset...].withUnsafeBytes { try parser.parse($0) }
            switch event {
            case .head(let n), .needMore(let n), .end(let n, _): offset += n
            case .body(let r), .tunnel(let r): offset += r.upperBound
            case .paused: break
            }
            return event
        }
        guard case .head = try next() else { Issue.record("no head"); return }
        #expect(try next() == .end(consumed: 0, trailers: 0..<0))
        #expect(try next() == .paused)
        parser.upgradeDeclined()
        guard case .head = try next() else { Issue.record("declined upgrade must continue with HTTP"); return }
        #expect(parser.head.requestsUpgrade == false)
    }

    @Test("after an accepted upgrade, the rest of the stream is tunnel data")
    func upgradeAccepted() throws {
        var parser = HTTPMessageParser(kind: .request)
        let head = Array("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n".utf8)
        _ = try head.withUnsafeBytes { try parser.parse($0) }
        #expect(try [UInt8]().withUnsafeBytes { try parser.parse($0) } == .end(consumed: 0, trailers: 0..<0))
        parser.upgradeAccepted()
        #expect(try Array("tls".utf8).withUnsafeBytes { try parser.parse($0) } == .tunnel(0..<3))
    }

    static func head(_ kind: HTTPMessageKind, _ text: String) throws -> HTTPHead {
        var parser = HTTPHeadParser(kind: kind)
        let bytes = Array(text.utf8)
        let progress = try bytes.withUnsafeBytes { try parser.parse($0) }
        #expect(progress == .complete(length: bytes.count))
        return parser.head
    }
}
