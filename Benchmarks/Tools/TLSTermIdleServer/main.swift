// A TLS echo server on 127.0.0.1 for scripts/tlsterm-idle-memory: TLSServerHandler with the
// default (Mozilla intermediate) configuration in front of an echo handler, one event loop.
// Usage: TLSTermIdleServer <combined.pem> [port] [plain]; prints "PORT <n>" once listening.
// With `plain` the TLS handler is left out: the same server's cost per idle plain TCP
// connection, to separate NIO's share from TLSTerm's. TLSTERM_RECV_INITIAL=<bytes> sets the
// child channels' AdaptiveRecvByteBufferAllocator initial size (NIO keeps the last receive
// buffer per channel for reuse, 2048 bytes by default).
import Foundation
import Logging
import NIOCore
import NIOPosix
import TLSTerm

final class Echo: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: TLSTermIdleServer <combined.pem> [port]")
    exit(2)
}
var logger = Logger(label: "tlsterm-idle-server")
logger.logLevel = .warning
let store = try CertificateStore(sources: [.combinedPEM(arguments[1])], logger: logger)
let context = try TLSServerContext(certificates: store, logger: logger)
let plain = arguments.count > 3 && arguments[3] == "plain"
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let channel = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 4096)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(
        .recvAllocator,
        value: AdaptiveRecvByteBufferAllocator(
            minimum: 64,
            initial: Int(ProcessInfo.processInfo.environment["TLSTERM_RECV_INITIAL"] ?? "") ?? 2048,
            maximum: 65_536
        )
    )
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            if !plain { try channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: context)) }
            try channel.pipeline.syncOperations.addHandler(Echo())
        }
    }
    .bind(host: "127.0.0.1", port: arguments.count > 2 ? Int(arguments[2]) ?? 0 : 0).get()
// Unbuffered, so a script reading the pipe sees it at once.
FileHandle.standardOutput.write(Data("PORT \(channel.localAddress?.port ?? 0)\n".utf8))
try await channel.closeFuture.get()
