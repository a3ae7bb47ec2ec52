import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `hello-task --name NAME`: one stand-in for an ECS task, an HTTP/1.1 server on a free
/// loopback port that answers every request with `hello from NAME`. Prints
/// `listening on 127.0.0.1:PORT` once bound (the test reads it), then serves until killed.
@main
struct HelloTask {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let name = arguments.firstIndex(of: "--name").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } ?? "task"
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.pipeline.configureHTTPServerPipeline().flatMap {
                    child.pipeline.addHandler(HelloHandler(name: name))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        // Written unbuffered: the test reading this line waits for it.
        FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(port)\n".utf8))
        try await channel.closeFuture.get()
    }
}

/// Answers each request head with `hello from NAME`, keeping the connection alive when the
/// client asked to.
final class HelloHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let name: String

    init(name: String) {
        self.name = name
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let body = ByteBuffer(string: "hello from \(name)\n")
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain")
        headers.add(name: "content-length", value: "\(body.readableBytes)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
