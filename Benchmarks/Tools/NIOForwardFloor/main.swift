// The floor under proxyd's forwarding cost: the least a proxy built on SwiftNIO channels can do
// per request, measured beside proxyd and HAProxy by `scripts/bench-peers --floor`.
//
// Each accepted client connection gets its own backend connection (round robin over the
// backends given, on the same event loop), and bytes are passed through both ways unparsed:
// per request, one read and one write on each side, through a one-handler pipeline. No HTTP
// parsing, no pooling, no timeouts, no metrics — so whatever proxyd spends above this figure is
// proxyd's, and whatever this figure itself costs is what any NIO-channel-per-connection design
// pays. Not a usable proxy (a backend that closes closes its client; no backpressure beyond
// NIO's own writability, which a request/response benchmark never reaches).
//
// usage: NIOForwardFloor LISTEN_PORT BACKEND_PORT... (127.0.0.1, one event loop)
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Passes whatever one channel reads to its partner, flushing at the end of each read burst.
final class PassThrough: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// The other side; set once the backend is connected (the client channel does not read
    /// before that: autoRead is off until then).
    var partner: (any Channel)?

    init(partner: (any Channel)? = nil) {
        self.partner = partner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.write(unwrapInboundIn(data), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.close(promise: nil)
        partner = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Round robin over the backends, per accepted connection. Only touched on the one event loop.
final class BackendRotation: @unchecked Sendable {
    private let ports: [Int]
    private var next = 0

    init(ports: [Int]) { self.ports = ports }

    func take() -> Int {
        defer { next = (next + 1) % ports.count }
        return ports[next]
    }
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
guard arguments.count >= 2 else {
    print("usage: NIOForwardFloor LISTEN_PORT BACKEND_PORT...")
    exit(2)
}
let listenPort = arguments[0]
let rotation = BackendRotation(ports: Array(arguments.dropFirst()))
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

let server = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 4096)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.autoRead, value: false)
    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
    .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536))
    .childChannelInitializer { client in
        let handler = PassThrough()
        do {
            try client.pipeline.syncOperations.addHandler(handler)
        } catch {
            return client.eventLoop.makeFailedFuture(error)
        }
        let clientSide = NIOLoopBound(handler, eventLoop: client.eventLoop)
        ClientBootstrap(group: client.eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { backend in
                backend.eventLoop.makeCompletedFuture {
                    try backend.pipeline.syncOperations.addHandler(PassThrough(partner: client))
                }
            }
            .connect(host: "127.0.0.1", port: rotation.take())
            .whenComplete { result in
                switch result {
                case .success(let backend):
                    clientSide.value.partner = backend
                    client.setOption(.autoRead, value: true).whenComplete { _ in client.read() }
                case .failure:
                    client.close(promise: nil)
                }
            }
        return client.eventLoop.makeSucceededVoidFuture()
    }
    .bind(host: "127.0.0.1", port: listenPort)
    .get()

print("NIOForwardFloor listening on \(server.localAddress.map { "\($0)" } ?? "?")")
try await server.closeFuture.get()
