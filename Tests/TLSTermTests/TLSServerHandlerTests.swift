import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
import TLSTerm

/// Records what reaches the handler after TLS in an EmbeddedChannel.
final class InboundRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var plaintext = ""
    var events: [String] = []
    var errors: [any Error] = []
    var completed: TLSHandshakeCompleted?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        plaintext += String(buffer: unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSHandshakeCompleted {
            completed = event
            events.append("handshakeCompleted")
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            events.append("inputClosed")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }
}

/// A flag set from a future callback.
final class CompletionFlag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var value: Bool { state.withLock { $0 } }
}

/// Sits where the socket would be: records `close(mode: .output)` and, like a real TCP
/// half-close, leaves the channel open (EmbeddedChannel would close it entirely).
final class TransportCloseRecorder: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var outputClosed = false
    /// `read()` requests that reached the transport.
    var readRequests = 0

    func read(context: ChannelHandlerContext) {
        readRequests += 1
        context.read()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .output {
            outputClosed = true
            promise?.succeed()
        } else {
            context.close(mode: mode, promise: promise)
        }
    }
}

/// A server handler in an EmbeddedChannel with an in-memory client on the other end.
final class EmbeddedTLSPair {
    let channel: EmbeddedChannel
    let recorder = InboundRecorder()
    let client: InMemoryTLSClient
    let transport = TransportCloseRecorder()
    /// Plaintext the client decrypted while finishing the handshake.
    private var early = ""

    init(_ context: TLSServerContext, client: InMemoryTLSClient, allowHalfClosure: Bool = false) throws {
        self.client = client
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(transport)
        try channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: context, allowHalfClosure: allowHalfClosure))
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
    }

    /// Closes the channel if the test left it open and runs the loop: a pipeline and its
    /// handlers reference each other until the channel's close has removed them (a task on the
    /// EmbeddedEventLoop), so otherwise the handler's TLS context and certificates would never
    /// be freed, which LeakSanitizer reports (scripts/sanitize address).
    ///
    /// A test that fired channelInactive by hand (the TCP connection gone) leaves a TLS handler
    /// that answers close with "already closed" without passing it on, as it should on a real
    /// socket; the channel is then closed from below the handler, as the socket would have been.
    deinit {
        _ = try? channel.finish(acceptAlreadyClosed: true)
        if channel.isActive, let below = try? channel.pipeline.syncOperations.context(handler: transport) {
            below.close(promise: nil)
        }
        channel.embeddedEventLoop.run()
    }

    /// Client → server.
    func toServer() throws {
        while channel.isActive, let bytes = client.takeCiphertext() {
            try channel.writeInbound(bytes)
        }
    }

    /// Server → client; returns how many bytes moved.
    @discardableResult
    func toClient() throws -> Int {
        var moved = 0
        while let bytes = try channel.readOutbound(as: ByteBuffer.self) {
            moved += bytes.readableBytes
            client.receive(bytes)
        }
        return moved
    }

    func handshake() throws {
        for _ in 0..<8 {
            let done = try client.handshake()
            try toServer()
            try toClient()
            if done { break }
        }
        early += String(buffer: try client.read().plaintext)  // also takes TLS 1.3 NewSessionTicket
    }

    func clientSends(_ text: String) throws {
        try client.write(ByteBuffer(string: text))
        try toServer()
    }

    func serverSends(_ text: String) throws {
        try channel.writeAndFlush(ByteBuffer(string: text)).wait()
    }

    func clientReceives() throws -> (text: String, closeNotify: Bool) {
        try toClient()
        let (plaintext, closeNotify) = try client.read()
        defer { early = "" }
        return (early + String(buffer: plaintext), closeNotify)
    }
}

@Suite("TLSServerHandler over memory BIOs, driven by an in-memory client")
struct TLSServerHandlerTests {
    private func context(_ configure: (inout TLSConfiguration) -> Void = { _ in }, clock: ManualClock? = nil) async throws -> (TestPKI, TLSServerContext) {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("srv", commonName: "srv.test", dnsNames: ["srv.test"], serial: 0x77)
        var configuration = TLSConfiguration.mozillaIntermediate
        configure(&configuration)
        let store = try CertificateStore(sources: [.combinedPEM(leaf.combined)], configuration: configuration, logger: Logger(label: "test"))
        var ticketClock: @Sendable () -> NIODeadline = { NIODeadline.now() }
        if let clock { ticketClock = clock.function }
        let context = try TLSServerContext(certificates: store, logger: Logger(label: "test"), ticketKeyClock: ticketClock)
        return (pki, context)
    }

    @Test("the handshake publishes version, cipher, ALPN and SNI before any data")
    func publishesSession() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", alpnProtocols: ["h2", "http/1.1"]))
        try pair.handshake()
        try pair.clientSends("hello")
        let session = try #require(pair.recorder.completed?.session)
        #expect(session == TLSSessionInfo(version: .tls1_3, cipher: "TLS_AES_256_GCM_SHA384", alpnProtocol: "http/1.1", serverName: "srv.test", resumed: false))
        #expect(pair.recorder.events == ["handshakeCompleted"])
        #expect(pair.recorder.plaintext == "hello")
        #expect(try pair.channel.pipeline.syncOperations.tlsSession() == session)
    }

    @Test("writes made before the handshake completes are delivered after it, in order")
    func bufferedWrites() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        let first = pair.channel.eventLoop.makePromise(of: Void.self)
        pair.channel.write(ByteBuffer(string: "early-"), promise: first)
        pair.channel.writeAndFlush(ByteBuffer(string: "bird"), promise: nil)
        try pair.handshake()
        #expect(try pair.clientReceives().text == "early-bird")
        try await first.futureResult.get()
    }

    @Test("the handler asks for reads while handshaking; afterwards reading is the application's call (backpressure)")
    func readRequestsFollowTheApplication() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        let duringHandshake = pair.transport.readRequests
        #expect(duringHandshake > 0)
        try pair.clientSends("one")
        try pair.clientSends("two")
        #expect(pair.transport.readRequests == duringHandshake)
        pair.channel.read()
        #expect(pair.transport.readRequests == duringHandshake + 1)
        #expect(pair.recorder.plaintext == "onetwo")
    }

    @Test("a write's promise completes only once its ciphertext has gone to the transport")
    func writePromiseFollowsCiphertext() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        let promise = pair.channel.eventLoop.makePromise(of: Void.self)
        pair.channel.write(ByteBuffer(string: "queued"), promise: promise)
        // Not flushed: the ciphertext waits in the channel's outbound buffer, the promise too.
        let completed = CompletionFlag()
        promise.futureResult.whenComplete { _ in completed.set() }
        #expect(completed.value == false)
        pair.channel.flush()
        #expect(completed.value)
        #expect(try pair.clientReceives().text == "queued")
    }

    @Test("a large write is split into records and arrives whole")
    func largeWrite() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        let payload = String(repeating: "0123456789abcdef", count: 8192)  // 128 KiB, 8+ records
        try pair.serverSends(payload)
        #expect(try pair.clientReceives().text == payload)
    }

    @Test("a 1 MiB upload in 16 KiB records is decrypted whole, in order")
    func largeUpload() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        var expected = ""
        for index in 0..<64 {
            let chunk = String(repeating: String(UnicodeScalar(UInt8(97 + index % 26))), count: 16_384)
            expected += chunk
            try pair.client.write(ByteBuffer(string: chunk))
        }
        try pair.toServer()
        #expect(pair.recorder.plaintext.count == expected.count)
        #expect(pair.recorder.plaintext == expected)
    }

    @Test("close() sends close_notify before closing TCP")
    func closeSendsCloseNotify() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        try await pair.channel.close().get()
        #expect(try pair.clientReceives().closeNotify)
        #expect(pair.channel.isActive == false)
    }

    @Test("the client's close_notify is answered and the channel closes")
    func closeNotifyFromClient() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        pair.client.shutdown()
        try pair.toServer()
        #expect(try pair.clientReceives().closeNotify)
        #expect(pair.channel.isActive == false)
    }

    @Test("with half-closure the client's close_notify fires inputClosed and the response still goes out")
    func halfClosure() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"), allowHalfClosure: true)
        try pair.handshake()
        try pair.clientSends("request")
        pair.client.shutdown()
        try pair.toServer()
        #expect(pair.recorder.events == ["handshakeCompleted", "inputClosed"])
        #expect(pair.channel.isActive)
        try pair.serverSends("response")
        pair.channel.close(promise: nil)
        let received = try pair.clientReceives()
        #expect(received.text == "response")
        #expect(received.closeNotify)
    }

    @Test("close(.output) sends close_notify and half-closes; later writes fail with outputClosed")
    func outputHalfClose() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        try await pair.channel.close(mode: .output).get()
        #expect(pair.transport.outputClosed)
        #expect(try pair.clientReceives().closeNotify)
        #expect(throws: ChannelError.outputClosed) { try pair.channel.writeAndFlush(ByteBuffer(string: "late")).wait() }
    }

    @Test("bytes that are not TLS fail the handshake, fire the error and close")
    func garbage() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(pair.channel.isActive == false)
        let error = try #require(pair.recorder.errors.first as? TLSError)
        guard case .handshakeFailed(let reason) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(reason.contains("wrong version number") || reason.contains("http request"))
    }

    @Test("a client that does not finish the handshake in time is closed with handshakeTimeout")
    func handshakeTimeout() async throws {
        let (_, context) = try await context { $0.handshakeTimeout = .seconds(2) }
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        pair.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1999))
        #expect(pair.channel.isActive)
        pair.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(pair.channel.isActive == false)
        #expect(pair.recorder.errors.compactMap { $0 as? TLSError } == [.handshakeTimeout])
    }

    @Test("a TLS 1.3 ticket resumes the session")
    func ticketResumption() async throws {
        let (_, context) = try await context()
        let first = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try first.handshake()
        let session = try #require(first.client.session())
        let second = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", session: session))
        try second.handshake()
        #expect(second.client.resumed)
        #expect(second.recorder.completed?.session.resumed == true)
    }

    @Test("a TLS 1.2 client without tickets resumes from the server session cache")
    func sessionCacheResumption() async throws {
        let (_, context) = try await context { $0.sessionTicketsEnabled = false }
        let first = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", versions: .tls1_2 ... .tls1_2))
        try first.handshake()
        let session = try #require(first.client.session())
        #expect(context.cachedSessionCount == 1)
        let second = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", versions: .tls1_2 ... .tls1_2, session: session))
        try second.handshake()
        #expect(second.client.resumed)
    }

    @Test("a TLS 1.2 session stays resumable after the client closes TCP without close_notify")
    func sessionCacheSurvivesUncleanClose() async throws {
        // Found by sslyze in scripts/tls-scan: session-ID resumption NOT_SUPPORTED, because
        // sslyze (like many clients) closes the socket without close_notify.
        let (_, context) = try await context { $0.sessionTicketsEnabled = false }
        let first = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", versions: .tls1_2 ... .tls1_2))
        try first.handshake()
        let session = try #require(first.client.session())
        // TCP gone without close_notify: the handler frees its server-side SSL. (The client
        // object stays alive: freeing it unshut would spoil the session on the client side.)
        first.channel.pipeline.fireChannelInactive()
        #expect(context.cachedSessionCount == 1)
        let second = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", versions: .tls1_2 ... .tls1_2, session: session))
        try second.handshake()
        #expect(second.client.resumed)
    }

    @Test("a ticket from a key dropped by rotation no longer resumes")
    func rotationEndsResumption() async throws {
        let clock = ManualClock()
        let (_, context) = try await context({ $0.ticketKeyRotationInterval = .hours(1); $0.ticketKeysRetained = 1; $0.sessionTimeout = .hours(10) }, clock: clock)
        let first = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try first.handshake()
        let session = try #require(first.client.session())
        clock.advance(.hours(1))  // previous key: still decrypts
        let second = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", session: session))
        try second.handshake()
        #expect(second.client.resumed)
        clock.advance(.hours(2))  // two rotations later: dropped
        let third = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test", session: session))
        try third.handshake()
        #expect(third.client.resumed == false)
    }

    @Test("a corrupted record after the handshake is a protocol error and closes")
    func corruptedRecord() async throws {
        let (_, context) = try await context()
        let pair = try EmbeddedTLSPair(context, client: InMemoryTLSClient(serverName: "srv.test"))
        try pair.handshake()
        try pair.client.write(ByteBuffer(string: "secret"))
        var record = try #require(pair.client.takeCiphertext())
        let last = record.writerIndex - 1
        record.setInteger(record.getInteger(at: last, as: UInt8.self)! ^ 0xFF, at: last)
        try pair.channel.writeInbound(record)
        #expect(pair.channel.isActive == false)
        guard case .protocolError = pair.recorder.errors.first as? TLSError else {
            Issue.record("expected protocolError, got \(pair.recorder.errors)")
            return
        }
    }
}
