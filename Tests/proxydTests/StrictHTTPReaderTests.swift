import Testing

/// The smuggling harness' judge (``StrictHTTPReader``) must itself be right: every form the
/// harness promises to catch at the backend is refused in `.normalised` mode, and the RFC
/// forms a client may send are read in `.received` mode.
@Suite("Strict HTTP reader (the smuggling harness' judge)")
struct StrictHTTPReaderTests {
    static func normalised(_ text: String) -> String? {
        if case .invalid(let reason) = StrictHTTPReader.readRequest(Array(text.utf8), mode: .normalised) { return reason }
        return nil
    }

    @Test("refuses what a proxy must never forward", arguments: [
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 01\r\n\r\nx",
        "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
        "GET / HTTP/1.1\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX : 1\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=1\r\nx\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\nx\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n 1\r\nx\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n",
    ])
    func refuses(_ text: String) {
        #expect(Self.normalised(text) != nil)
    }

    @Test("reads clean requests and their bodies")
    func reads() {
        let bytes = Array("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let (requests, rest) = StrictHTTPReader.readRequests(bytes, mode: .normalised)
        #expect(rest == nil)
        #expect(requests.map(\.target) == ["/x", "/y"])
        #expect(requests.first?.body == Array("abc".utf8))
    }

    @Test("a client's chunk extensions, list-form Transfer-Encoding and leading empty line are RFC 9112, not smuggling")
    func receivedForms() {
        let bytes = Array("\r\nPOST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n2;a=\"b\"\r\nhi\r\n0\r\n\r\n".utf8)
        let (requests, rest) = StrictHTTPReader.readRequests(bytes, mode: .received)
        #expect(rest == nil)
        #expect(requests.first?.body == Array("hi".utf8))
    }

    @Test("an incomplete body is incomplete, not invalid")
    func incomplete() {
        guard case .incomplete(headComplete: true) = StrictHTTPReader.readRequest(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab".utf8), mode: .normalised) else {
            Issue.record("expected incomplete")
            return
        }
    }

    @Test("responses are counted, HEAD-style bodiless ones and interim 100s included correctly")
    func responses() {
        let bytes = Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Harness-Backend: 1\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
        let (responses, garbage) = StrictHTTPReader.readResponses(bytes)
        #expect(!garbage)
        #expect(responses.map(\.status) == [200, 200, 400])
        #expect(responses.map(\.fromBackend) == [true, false, false])
    }

    @Test("the verdict fails a case whose backend read more requests than the client got responses")
    func moreRequestsThanResponses() {
        let request = StrictHTTPReader.Request(method: "GET", target: "/", version: "HTTP/1.1", fields: [("Host", Array("a".utf8))], body: [], chunked: false)
        var exchange = RawCaseClient.Exchange()
        exchange.closed = true
        let verdict = ProxySmugglingConformanceTests.verdict(
            for: SmugglingCase(corpus: "t", label: "t", bytes: Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)),
            exchange: exchange, forwarded: [request], backendFailures: [], truncated: false)
        guard case .fail = verdict else {
            Issue.record("expected a failure, got \(verdict)")
            return
        }
    }
}
