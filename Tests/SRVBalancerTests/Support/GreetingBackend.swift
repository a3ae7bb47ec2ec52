import NIOCore
import NIOPosix
import Synchronization

/// A task on loopback for the pool's calls: a TCP server that writes its name to every
/// connection and closes it, counting the connections it accepted. ``stop()`` closes the
/// listening socket, so later connections are refused — what a killed ECS task looks like to
/// its callers while DNS still lists it.
final class GreetingBackend: Sendable {
    let name: String
    let port: Int
    private let channel: any Channel
    private let accepted: Accepted

    final class Accepted: Sendable {
        let count = Atomic<Int>(0)
    }

    private init(name: String, port: Int, channel: any Channel, accepted: Accepted) {
        self.name = name
        self.port = port
        self.channel = channel
        self.accepted = accepted
    }

    /// Connections accepted so far.
    var connections: Int { accepted.count.load(ordering: .relaxed) }

    static func start(name: String) async throws -> GreetingBackend {
        let accepted = Accepted()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Greeter(name: name, accepted: accepted))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw ChannelError.inappropriateOperationForState }
        return GreetingBackend(name: name, port: port, channel: channel, accepted: accepted)
    }

    func stop() async {
        try? await channel.close()
    }

    /// Connects to `host:port` and returns everything the server wrote before closing.
    static func call(host: String, port: Int) async throws -> String {
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await client.executeThenClose { inbound, _ in
            var reply = ""
            for try await buffer in inbound { reply += String(buffer: buffer) }
            return reply
        }
    }

    private final class Greeter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let name: String
        let accepted: Accepted

        init(name: String, accepted: Accepted) {
            self.name = name
            self.accepted = accepted
        }

        func channelActive(context: ChannelHandlerContext) {
            accepted.count.add(1, ordering: .relaxed)
            let channel = context.channel
            channel.writeAndFlush(ByteBuffer(string: name)).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
