import Logging
import NIOCore
import NIOPosix
import Synchronization
import TLSTerm

/// What the test server saw, shared between its connections.
final class ServerRecorder: Sendable {
    private let state = Mutex<(sessions: [TLSSessionInfo], errors: [any Error], queried: [TLSSessionInfo?])>(([], [], []))

    func record(_ session: TLSSessionInfo) { state.withLock { $0.sessions.append(session) } }
    func record(error: any Error) { state.withLock { $0.errors.append(error) } }
    func recordQueried(_ session: TLSSessionInfo?) { state.withLock { $0.queried.append(session) } }
    var sessions: [TLSSessionInfo] { state.withLock { $0.sessions } }
    var errors: [any Error] { state.withLock { $0.errors } }
    var tlsErrors: [TLSError] { errors.compactMap { $0 as? TLSError } }
    var queried: [TLSSessionInfo?] { state.withLock { $0.queried } }
}

/// The handler after TLS in the test server: an HTTP/1.1 responder for requests starting with
/// `GET ` (the body reports what TLS negotiated, then it closes), an echo for anything else,
/// closing on a `quit` line.
final class EchoOrHTTPResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let recorder: ServerRecorder
    private var received = ""
    private var session: TLSSessionInfo?

    init(recorder: ServerRecorder) {
        self.recorder = recorder
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            session = completed.session
            recorder.record(completed.session)
            recorder.recordQueried(try? context.pipeline.syncOperations.tlsSession())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received += String(buffer: buffer)
        if received.hasPrefix("GET ") {
            guard received.contains("\r\n\r\n") else { return }
            let body = "sni=\(session?.serverName ?? "-") alpn=\(session?.alpnProtocol ?? "-") version=\(session.map { "\($0.version)" } ?? "-") cipher=\(session?.cipher ?? "-") resumed=\(session?.resumed ?? false)\n"
            let response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
            received = ""
            return
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        if received.contains("quit\n") { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        recorder.record(error: error)
    }
}

/// A TLS server on 127.0.0.1 with a run-time port: NIOPosix ServerBootstrap +
/// TLSServerHandler + EchoOrHTTPResponder.
final class TestTLSServer {
    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    let recorder = ServerRecorder()
    let context: TLSServerContext
    var port: Int { channel.localAddress?.port ?? 0 }

    init(context: TLSServerContext, allowHalfClosure: Bool = false) async throws {
        self.context = context
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let recorder = self.recorder
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: context, allowHalfClosure: allowHalfClosure))
                        try channel.pipeline.syncOperations.addHandler(EchoOrHTTPResponder(recorder: recorder))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Runs `body` with a started server and always stops it.
func withTestServer(
    _ context: TLSServerContext, allowHalfClosure: Bool = false, _ body: (TestTLSServer) async throws -> Void
) async throws {
    let server = try await TestTLSServer(context: context, allowHalfClosure: allowHalfClosure)
    do {
        try await body(server)
        await server.stop()
    } catch {
        await server.stop()
        throw error
    }
}

/// A log handler that keeps every message, for asserting on warnings and errors.
final class CapturedLogs: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: String
    }

    private let entries = Mutex<[Entry]>([])

    var all: [Entry] { entries.withLock { $0 } }

    func logger(_ label: String = "tlsterm-test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append(Entry(level: event.level, message: "\(event.message)", metadata: merged.map { "\($0)=\($1)" }.sorted().joined(separator: " ")))
        }
    }
}
