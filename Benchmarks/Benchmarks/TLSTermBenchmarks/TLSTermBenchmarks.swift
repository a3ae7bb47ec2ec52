// Handshake and throughput of TLSTerm's server side, in memory: an InMemoryTLSClient talks
// to TLSServerHandler inside an EmbeddedChannel, so the figures are OpenSSL + handler cost
// without sockets. Certificate: ECDSA P-256 (Fixtures/bench-ecdsa.pem), Mozilla
// intermediate configuration, X25519 key exchange.
import Benchmark
import Logging
import NIOCore
import NIOEmbedded
import TLSTerm

private func fixturePath() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast()
    return parts.joined(separator: "/") + "/Fixtures/bench-ecdsa.pem"
}

/// Counts and drops decrypted bytes, as an application handler would consume them. (Leaving
/// them queued in EmbeddedChannel's inbound buffer across many `writeInbound` calls crashed in
/// release builds here even without TLSTerm in the pipeline, so the suite does not do that.)
private final class PlaintextSink: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var received = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
    }
}

/// One client + one server handler, pumping bytes between them.
private struct Pair {
    let channel: EmbeddedChannel
    let client: InMemoryTLSClient
    let sink = PlaintextSink()

    init(_ context: TLSServerContext, client: InMemoryTLSClient) throws {
        self.client = client
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: context))
        try channel.pipeline.syncOperations.addHandler(sink)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
    }

    func pump() throws {
        while let bytes = client.takeCiphertext() { try channel.writeInbound(bytes) }
        while let bytes = try channel.readOutbound(as: ByteBuffer.self) { client.receive(bytes) }
    }

    func handshake() throws {
        while true {
            let done = try client.handshake()
            try pump()
            if done { break }
        }
        _ = try client.read()  // NewSessionTicket
    }

    func finish() {
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}

private func makeContext(tickets: Bool = true) throws -> TLSServerContext {
    var configuration = TLSConfiguration.mozillaIntermediate
    configuration.sessionTicketsEnabled = tickets
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    let store = try CertificateStore(sources: [.combinedPEM(fixturePath())], configuration: configuration, logger: logger)
    return try TLSServerContext(certificates: store, logger: logger)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        warmupIterations: 5,
        maxDuration: .seconds(4),
        maxIterations: 2_000
    )

    Benchmark("TLSTerm full handshake TLS 1.3 ECDSA X25519") { benchmark in
        let context = try makeContext()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let pair = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test"))
            try pair.handshake()
            pair.finish()
        }
    }

    Benchmark("TLSTerm full handshake TLS 1.2 ECDHE-ECDSA") { benchmark in
        let context = try makeContext()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let pair = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test", versions: .tls1_2 ... .tls1_2))
            try pair.handshake()
            pair.finish()
        }
    }

    Benchmark("TLSTerm resumed handshake TLS 1.3 ticket") { benchmark in
        let context = try makeContext()
        let first = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test"))
        try first.handshake()
        guard let session = first.client.session() else { return }
        first.finish()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let pair = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test", session: session))
            try pair.handshake()
            pair.finish()
        }
    }

    Benchmark("TLSTerm resumed handshake TLS 1.2 session cache") { benchmark in
        let context = try makeContext(tickets: false)
        let first = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test", versions: .tls1_2 ... .tls1_2))
        try first.handshake()
        guard let session = first.client.session() else { return }
        first.finish()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let pair = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test", versions: .tls1_2 ... .tls1_2, session: session))
            try pair.handshake()
            pair.finish()
        }
    }

    // One iteration = 1 MiB of plaintext written by the server in 16 KiB writes, encrypted,
    // and decrypted by the client: MB/s = 1 / (wall clock per iteration in seconds).
    Benchmark(
        "TLSTerm throughput 1 MiB server to client AES-256-GCM",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(4), maxIterations: 500)
    ) { benchmark in
        let context = try makeContext()
        let pair = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test"))
        try pair.handshake()
        let chunk = ByteBuffer(repeating: 0x61, count: 16_384)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for _ in 0..<64 { pair.channel.write(chunk, promise: nil) }
            pair.channel.flush()
            while let bytes = try pair.channel.readOutbound(as: ByteBuffer.self) { pair.client.receive(bytes) }
            let (plaintext, _) = try pair.client.read()
            blackHole(plaintext.readableBytes)
        }
        benchmark.stopMeasurement()
        pair.finish()
    }

    // One iteration = 1 MiB of plaintext sent by the client in 16 KiB records, decrypted by
    // the handler and passed on as channelRead.
    Benchmark(
        "TLSTerm throughput 1 MiB client to server AES-256-GCM",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(4), maxIterations: 500)
    ) { benchmark in
        let context = try makeContext()
        let pair = try Pair(context, client: InMemoryTLSClient(serverName: "bench.test"))
        try pair.handshake()
        let chunk = ByteBuffer(repeating: 0x61, count: 16_384)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for _ in 0..<64 { try pair.client.write(chunk) }
            while let bytes = pair.client.takeCiphertext() { try pair.channel.writeInbound(bytes) }
        }
        benchmark.stopMeasurement()
        blackHole(pair.sink.received)
        pair.finish()
    }
}
