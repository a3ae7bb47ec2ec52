import HTTPCore
import NIOCore
import Testing

/// What a forwarded message's framing looks like at the next hop: one canonical field, and
/// no framing or routing fields smuggled in a trailer section. Found by the end-to-end
/// smuggling harness (`ProxySmugglingConformanceTests`; HTTP Garden transducer bug 9).
@Suite("Forwarded framing")
struct ForwardedFramingTests {
    static func forward(_ text: String) throws -> String {
        HTTPHeadSerializerTests.forward(try HTTPHeadSerializerTests.parsed(text), HTTPHeaderEdits())
    }

    @Test("Transfer-Encoding with empty list elements and an empty second field is forwarded as one canonical field")
    func emptyTransferCodingElements() throws {
        let forwarded = try Self.forward("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\nTransfer-Encoding: \r\nX-A: 1\r\n\r\n")
        #expect(forwarded == "POST / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    @Test("several transfer codings keep their order, without extra whitespace or empty elements")
    func codingList() throws {
        let forwarded = try Self.forward("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip ,\r\nTransfer-Encoding: , chunked\r\n\r\n")
        #expect(forwarded == "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
    }

    @Test("Content-Length with leading zeros is forwarded in plain decimal (a next hop may read 010 as octal)")
    func contentLengthLeadingZeros() throws {
        let forwarded = try Self.forward("POST / HTTP/1.1\r\nContent-Length: 010\r\nHost: a\r\n\r\n")
        #expect(forwarded == "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n")
    }

    @Test("a bodiless request keeps its fields as they came (only framed bodies are rewritten)")
    func bodilessUntouched() throws {
        #expect(try Self.forward("GET / HTTP/1.1\r\nHost: a\r\nX-B: 2\r\n\r\n") == "GET / HTTP/1.1\r\nHost: a\r\nX-B: 2\r\n\r\n")
    }

    @Test("framing, routing and hop-by-hop fields are dropped from a forwarded trailer section")
    func trailerFilter() {
        let trailers = ByteBuffer(string: "X-Checksum: 1\r\nContent-Length: 50\r\nhost: evil.example\r\nTRANSFER-ENCODING: chunked\r\nX-Other: 2\r\n")
        let kept = HTTPTrailerFilter.forwardable(trailers).map { String(buffer: $0) }
        #expect(kept == "X-Checksum: 1\r\nX-Other: 2\r\n")
        #expect(HTTPTrailerFilter.forwardable(ByteBuffer(string: "Content-Length: 5\r\n")) == nil)
        #expect(HTTPTrailerFilter.forwardable(nil) == nil)
        let harmless = ByteBuffer(string: "X-Checksum: 1\r\n")
        #expect(HTTPTrailerFilter.forwardable(harmless) == harmless)
    }
}
