import HTTPCore
import Logging
import NIOCore
import NIOPosix

/// The admin listener: binds `admin.bind` (loopback unless configured otherwise, and then only
/// with a token — the configuration loader enforces it) and serves ``AdminRouter``'s routes
/// over HTTPCore's codec.
enum AdminServer {
    static func bind(configuration: AdminConfiguration, router: AdminRouter, group: any EventLoopGroup, logger: Logger) async throws -> any Channel {
        let limits = {
            var limits = HTTPParserLimits.default
            limits.maxBodySize = AdminHTTPHandler.maxBodyBytes
            return limits
        }()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPServerCodec(limits: limits))
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(router: router))
                }
            }
            .bind(host: configuration.bind.host, port: configuration.bind.port).get()
        logger.info("admin listener bound", metadata: [
            "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
            "token": "\(configuration.token == nil ? "none" : "required")",
        ])
        return channel
    }
}
