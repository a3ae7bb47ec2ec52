import HTTPCore
import NIOCore
import NIOPosix

/// A small HTTP/1.1 server standing in for one ECS task: the demo runs three of them, and the
/// end-to-end tests start them as separate processes (`proxyd hello-backend`) so they can be
/// killed with SIGKILL like a real task.
///
/// It answers every request with a plain-text page that names the task and echoes the request
/// line and headers, so a person (or a test) sees which task answered and what the proxy
/// added (`X-Forwarded-Proto`, `X-SSL`…). `/health` answers `ok`; `/status/NNN` answers that
/// status; `/sleep/MS` answers after MS milliseconds (a slow request, for shutdown and timeout
/// tests); `/echo` with `Connection: upgrade` switches protocols (101) and echoes every byte.
/// `Expect: 100-continue` gets its `100 Continue`. Keep-alive and pipelining work; request
/// bodies are read and counted.
final class HelloBackend: Sendable {
    let name: String
    private let channel: any Channel

    private init(name: String, channel: any Channel) {
        self.name = name
        self.channel = channel
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    /// Starts listening on `host:port` (0: a free port).
    static func start(name: String, host: String = "127.0.0.1", port: Int = 0, group: any EventLoopGroup) async throws -> HelloBackend {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HelloRequestHandler(name: name))
                }
            }
            .bind(host: host, port: port).get()
        return HelloBackend(name: name, channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Parses requests with HTTPCore and answers each as `HelloBackend` describes.
private final class HelloRequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let name: String
    private var parser = HTTPMessageParser(kind: .request)
    private var pending: ByteBuffer?
    private var current: (requestLine: String, headers: [(String, String)], keepAlive: Bool, target: String)?
    private var bodyBytes = 0
    private var switching = false

    init(name: String) { self.name = name }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = Self.unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending?.writeBuffer(&incoming)
        }
        do {
            try drain(context: context)
        } catch {
            let body = "bad request: \(error)\n"
            write(context: context, status: 400, reason: "Bad Request", body: body, keepAlive: false)
        }
    }

    private func drain(context: ChannelHandlerContext) throws {
        // Parse until the parser asks for more input: a bodiless request reports `.end` only on
        // the call after `.head`, when no bytes may be left.
        while var buffer = pending {
            let step = try buffer.withUnsafeReadableBytes { bytes throws(HTTPParseError) -> (HTTPMessageParser.Event, HeadCapture?) in
                let event = try parser.parse(bytes)
                if case .head = event { return (event, HeadCapture(head: parser.head, bytes: bytes)) }
                return (event, nil)
            }
            switch step.0 {
            case .needMore(let consumed):
                buffer.moveReaderIndex(forwardBy: consumed)
                pending = buffer.readableBytes > 0 ? buffer : nil
                return
            case .head(let length):
                if let capture = step.1 {
                    current = (capture.requestLine, capture.headers, parser.head.keepAlive, capture.target)
                }
                if parser.head.expectsContinue {
                    context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
                }
                bodyBytes = 0
                buffer.moveReaderIndex(forwardBy: length)
            case .body(let range):
                bodyBytes += range.count
                buffer.moveReaderIndex(forwardBy: range.upperBound)
            case .end(let consumed, _):
                buffer.moveReaderIndex(forwardBy: consumed)
                pending = buffer
                respond(context: context)
                continue
            case .paused:
                if switching { parser.upgradeAccepted() } else { parser.upgradeDeclined() }
            case .tunnel(let range):
                let echo = buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count)
                buffer.moveReaderIndex(forwardBy: range.upperBound)
                if let echo { context.writeAndFlush(Self.wrapOutboundOut(echo), promise: nil) }
            }
            pending = buffer
        }
    }

    private func respond(context: ChannelHandlerContext) {
        guard let request = current else { return }
        current = nil
        if request.target == "/echo" && parser.isAwaitingUpgradeDecision {
            switching = true
            context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")), promise: nil)
            return
        }
        if request.target == "/health" {
            write(context: context, status: 200, reason: "OK", body: "ok\n", keepAlive: request.keepAlive)
            return
        }
        if request.target.hasPrefix("/status/"), let status = Int(request.target.dropFirst(8)), (200...599).contains(status) {
            write(context: context, status: status, reason: "Status", body: "status \(status) from \(name)\n", keepAlive: request.keepAlive)
            return
        }
        if request.target.hasPrefix("/sleep/"), let millis = Int64(request.target.dropFirst(7)), (0...60_000).contains(millis) {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(millis)) {
                let (handler, context) = loopBound.value
                handler.write(context: context, status: 200, reason: "OK", body: "slept \(millis) ms in \(handler.name)\n", keepAlive: request.keepAlive)
            }
            return
        }
        var body = "hello from \(name)\n\(request.requestLine)\n"
        for (field, value) in request.headers { body += "\(field): \(value)\n" }
        if bodyBytes > 0 { body += "(request body: \(bodyBytes) bytes)\n" }
        write(context: context, status: 200, reason: "OK", body: body, keepAlive: request.keepAlive)
    }

    private func write(context: ChannelHandlerContext, status: Int, reason: String, body: String, keepAlive: Bool) {
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nX-Served-By: \(name)\r\n\(keepAlive ? "" : "Connection: close\r\n")\r\n"
        var out = context.channel.allocator.buffer(capacity: head.utf8.count + body.utf8.count)
        out.writeString(head)
        out.writeString(body)
        if keepAlive {
            context.writeAndFlush(Self.wrapOutboundOut(out), promise: nil)
        } else {
            // The write's completion runs on this channel's event loop, where the context lives.
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(Self.wrapOutboundOut(out)).whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The parts of a request head the hello page echoes, copied out while the parsed bytes are
/// at hand (a head's offsets are only valid for the buffer it was parsed from).
private struct HeadCapture {
    var requestLine: String
    var target: String
    var headers: [(String, String)]

    init(head: HTTPHead, bytes: UnsafeRawBufferPointer) {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        requestLine = text(head.startLineRange)
        target = text(head.targetRange)
        headers = head.fields.map { (text($0.nameRange), text($0.valueRange)) }
    }
}
