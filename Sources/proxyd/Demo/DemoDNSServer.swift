import DNSWire
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers

/// An authoritative DNS server for one in-memory zone on UDP and TCP, for `proxyd demo`: it
/// publishes the demo's tasks as `_hello-world-service.internal` SRV + A records, and the demo
/// changes them as an ECS rolling deploy would, so discovery can be watched following it.
final class DemoDNSServer: Sendable {
    private let zone: NIOLockedValueBox<ZoneAnswerer>
    private let channels: NIOLockedValueBox<[any Channel]> = NIOLockedValueBox([])

    init(origin: DomainName, records: [ResourceRecord] = []) {
        zone = NIOLockedValueBox(ZoneAnswerer(origin: origin, records: records))
    }

    /// Replaces the zone's records; the next query sees the new set.
    func setRecords(_ records: [ResourceRecord]) {
        zone.withLockedValue { $0.records = records }
    }

    var records: [ResourceRecord] { zone.withLockedValue { $0.records } }

    fileprivate func respond(to query: [UInt8], overUDP: Bool) -> [UInt8]? {
        let answerer = zone.withLockedValue { $0 }
        return answerer.responseBytes(for: query, overUDP: overUDP)
    }

    /// Binds UDP and TCP on `host`, on `port` (0: the same free port for both, chosen here).
    /// Returns the port.
    func start(host: String = "127.0.0.1", port: Int = 0, group: any EventLoopGroup) async throws -> Int {
        let tcp = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(DNSTCPQueryHandler(server: self))
                }
            }
            .bind(host: host, port: port).get()
        guard let boundPort = tcp.localAddress?.port else {
            try? await tcp.close()
            throw DemoError.bindFailed("DNS over TCP on \(host):\(port)")
        }
        do {
            let udp = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DNSUDPQueryHandler(server: self))
                    }
                }
                .bind(host: host, port: boundPort).get()
            channels.withLockedValue { $0 = [tcp, udp] }
        } catch {
            try? await tcp.close()
            throw error
        }
        return boundPort
    }

    func stop() async {
        let open = channels.withLockedValue { channels in
            defer { channels = [] }
            return channels
        }
        for channel in open { try? await channel.close() }
    }
}

/// Splits a TCP stream into DNS messages by their two-byte length prefix (RFC 1035 §4.2.2).
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let message = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }
}

private final class DNSTCPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let server: DemoDNSServer

    init(server: DemoDNSServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let query = Array(buffer: Self.unwrapInboundIn(data))
        guard let response = server.respond(to: query, overUDP: false) else {
            context.close(promise: nil)
            return
        }
        var out = context.channel.allocator.buffer(capacity: response.count + 2)
        out.writeInteger(UInt16(response.count))
        out.writeBytes(response)
        context.writeAndFlush(Self.wrapOutboundOut(out), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

private final class DNSUDPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    private let server: DemoDNSServer

    init(server: DemoDNSServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        guard let response = server.respond(to: Array(buffer: envelope.data), overUDP: true) else { return }
        let out = context.channel.allocator.buffer(bytes: response)
        context.writeAndFlush(Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: out)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket error (e.g. ICMP port unreachable from a client gone away) concerns one
        // datagram; the server keeps serving.
    }
}

/// Errors of the demo's own setup.
enum DemoError: Error, CustomStringConvertible {
    case bindFailed(String)

    var description: String {
        switch self {
        case .bindFailed(let what): "could not bind \(what)"
        }
    }
}
