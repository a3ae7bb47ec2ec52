// HTTPCore's parser and NIO codec side by side with NIOHTTP1 (llhttp inside), same inputs.
//
// Inputs: a browser GET with 10 fields; a GET with 25 fields and large cookies (~3 KB); a POST
// with a 1 KB body; a chunked response (4 × 256 B chunks). Every benchmark processes 1,000
// messages per iteration (scalingFactor .kilo), so "mallocs" read as mallocs per 1,000 messages.
//
// - "HTTPCore parser": HTTPMessageParser over the bytes (head, body ranges, end), the proxy's
//   hot path before any channel is involved. Every benchmark handles one warm-up message
//   before measuring, so the figures are the steady state.
// - "HTTPCore codec": HTTPServerCodec / HTTPClientCodec in an EmbeddedChannel.
// - "NIOHTTP1": ByteToMessageHandler(HTTPRequestDecoder) / HTTPResponseDecoder in an
//   EmbeddedChannel: the same harness as our codec (NIO's decoders only run in a channel).
import Benchmark
import HTTPCore
import NIOCore
import NIOEmbedded
import NIOHTTP1

enum Inputs {
    static let browserGET = """
        GET /assets/app.js?v=3 HTTP/1.1\r
        Host: www.example.com\r
        User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r
        Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r
        Accept-Language: en-US,en;q=0.9\r
        Accept-Encoding: gzip, deflate, br\r
        Referer: https://www.example.com/\r
        Connection: keep-alive\r
        Sec-Fetch-Dest: script\r
        Sec-Fetch-Mode: no-cors\r
        Cache-Control: no-cache\r
        \r

        """

    static let largeCookies: String = {
        var text = "GET /account/settings HTTP/1.1\r\nHost: app.example.com\r\n"
        for i in 0..<21 { text += "X-Header-\(i): value-\(i)-\(String(repeating: "v", count: 20))\r\n" }
        for i in 0..<3 {
            text += "Cookie: session\(i)=" + String(repeating: "abcdef0123456789", count: 56) + "; theme=dark; lang=en\r\n"
        }
        return text + "\r\n"
    }()

    static let post1K = "POST /api/v1/items HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: 1024\r\nAccept: */*\r\n\r\n"
        + String(repeating: "x", count: 1024)

    static let chunkedResponse: String = {
        var text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nServer: backend\r\n\r\n"
        for _ in 0..<4 { text += "100\r\n" + String(repeating: "y", count: 256) + "\r\n" }
        return text + "0\r\n\r\n"
    }()
}

/// Parses one whole message with `parser`; returns the number of body bytes (kept alive so
/// the optimizer cannot drop the work).
@inline(__always)
func parseMessage(_ parser: inout HTTPMessageParser, _ bytes: UnsafeRawBufferPointer) -> Int {
    var offset = 0
    var bodyBytes = 0
    while true {
        let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        guard let event = try? parser.parse(rest) else { return -1 }
        switch event {
        case .head(let length): offset += length
        case .body(let range):
            bodyBytes += range.count
            offset += range.upperBound
        case .end(let consumed, _):
            offset += consumed
            return bodyBytes
        case .needMore(let consumed):
            offset += consumed
            if offset >= bytes.count { return -2 }
        case .tunnel, .paused:
            return -3
        }
    }
}

func clientRoundTrip(_ channel: EmbeddedChannel, _ input: ByteBuffer, _ request: HTTPOutgoingHead) {
    try? channel.writeOutbound(HTTPOutboundPart.head(request))
    while let bytes = try? channel.readOutbound(as: ByteBuffer.self) { blackHole(bytes) }
    channelRoundTrip(channel, input)
}

func channelRoundTrip(_ channel: EmbeddedChannel, _ input: ByteBuffer) {
    try? channel.writeInbound(input)
    while let part = try? channel.readInbound(as: HTTPInboundPart.self) { blackHole(part) }
}

func nioRoundTripRequest(_ channel: EmbeddedChannel, _ input: ByteBuffer) {
    try? channel.writeInbound(input)
    while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) { blackHole(part) }
}

/// Response decoders must see the request first (NIO's to know HEAD, ours to match pipelining):
/// both get an outbound request head per response, drained right away.
func nioRoundTripResponse(_ channel: EmbeddedChannel, _ input: ByteBuffer, _ request: HTTPRequestHead) {
    try? channel.writeOutbound(HTTPClientRequestPart.head(request))
    while let part = try? channel.readOutbound(as: HTTPClientRequestPart.self) { blackHole(part) }
    try? channel.writeInbound(input)
    while let part = try? channel.readInbound(as: HTTPClientResponsePart.self) { blackHole(part) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        scalingFactor: .kilo,
        maxDuration: .milliseconds(1500),
        maxIterations: 2000
    )

    // The harness's own allocations per iteration (to subtract): an empty measured loop.
    Benchmark("harness baseline: empty loop") { benchmark in
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { blackHole(i) }
        benchmark.stopMeasurement()
    }

    let requests: [(String, String)] = [
        ("browser GET (10 fields)", Inputs.browserGET),
        ("25 fields, large cookies", Inputs.largeCookies),
        ("POST 1 KB body", Inputs.post1K),
    ]
    for (name, text) in requests {
        let input = ByteBuffer(string: text)
        Benchmark("HTTPCore parser: \(name)") { benchmark in
            var parser = HTTPMessageParser(kind: .request)
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { raw in
                blackHole(parseMessage(&parser, raw))  // warm-up: the field table grows once
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { blackHole(parseMessage(&parser, raw)) }
                benchmark.stopMeasurement()
            }
        }
        Benchmark("HTTPCore codec: \(name)") { benchmark in
            let channel = EmbeddedChannel(handler: HTTPServerCodec())
            channelRoundTrip(channel, input)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { channelRoundTrip(channel, input) }
            benchmark.stopMeasurement()
            _ = try? channel.finish()
        }
        Benchmark("NIOHTTP1 HTTPRequestDecoder: \(name)") { benchmark in
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
            nioRoundTripRequest(channel, input)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { nioRoundTripRequest(channel, input) }
            benchmark.stopMeasurement()
            _ = try? channel.finish()
        }
    }

    // What proxyd does to every request it forwards: the X-Forwarded-* edits (the values are
    // built per request, as the router renders them) and the head written with them. Gates the
    // header-edit allocations (BENCHMARKS.md, "Allocations per proxied request").
    Benchmark("HTTPCore forward: browser GET + 4 X-Forwarded edits") { benchmark in
        var parser = HTTPHeadParser(kind: .request)
        let buffer = ByteBuffer(string: Inputs.browserGET)
        guard (try? buffer.withUnsafeReadableBytes({ try parser.parse($0) })) != nil else { return }
        let head = HTTPMessageHead(bytes: buffer, head: parser.head)
        let client = "203.0.113.7", port = 443
        func forward() -> HTTPOutgoingHead? {
            var edits = HTTPHeaderEdits()
            edits.reserveCapacity(4)
            do {
                try edits.add("X-Forwarded-For", client)
                try edits.set("X-Forwarded-Proto", "https")
                try edits.set("X-Forwarded-Port", String(port))
                try edits.set("X-Forwarded-Host", "www.example.com")
            } catch {
                return nil
            }
            return HTTPOutgoingHead(forwarding: head, edits: edits)
        }
        blackHole(forward())
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(forward()) }
        benchmark.stopMeasurement()
    }

    let response = ByteBuffer(string: Inputs.chunkedResponse)
    Benchmark("HTTPCore parser: chunked response") { benchmark in
        var parser = HTTPMessageParser(kind: .response)
        let bytes = Array(Inputs.chunkedResponse.utf8)
        bytes.withUnsafeBytes { raw in
            blackHole(parseMessage(&parser, raw))  // warm-up: the field table grows once
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(parseMessage(&parser, raw)) }
            benchmark.stopMeasurement()
        }
    }
    Benchmark("HTTPCore codec: chunked response") { benchmark in
        let channel = EmbeddedChannel(handler: HTTPClientCodec())
        let request = HTTPOutgoingHead(bytes: ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"), framing: .none, method: .get)
        clientRoundTrip(channel, response, request)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { clientRoundTrip(channel, response, request) }
        benchmark.stopMeasurement()
        _ = try? channel.finish()
    }
    Benchmark("NIOHTTP1 HTTPResponseDecoder: chunked response") { benchmark in
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPResponseDecoder()))
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: ["Host": "a"])
        nioRoundTripResponse(channel, response, request)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { nioRoundTripResponse(channel, response, request) }
        benchmark.stopMeasurement()
        _ = try? channel.finish()
    }
}
