import DNSWire
import NIOCore
import NIOPosix
import Synchronization

@testable import SRVDiscovery

/// An in-process DNS server on 127.0.0.1 that answers with whatever a test scripts: the
/// things a real server will not send (wrong ID, wrong question, answers from another address
/// or port, garbage, pointer loops, slow answers, TC without anything usable) as well as
/// correct answers. Built on DNSWire (to read queries and build answers) and NIO.
///
/// UDP and TCP listen on the same port; TCP only when a TCP script is given, so a test can
/// also have "TC but TCP refused". Stop with ``stop()`` in a `defer`.
final class HostileResponder: Sendable {
    /// One thing to send in reply to a UDP query.
    struct Reply: Sendable {
        enum Origin: Sendable {
            /// From the port the query was sent to (a genuine source).
            case server
            /// From another port on 127.0.0.1 (spoofing attempt / stray server).
            case otherPort
            /// From another loopback address, 127.0.0.2.
            case otherAddress
        }

        var bytes: [UInt8]
        var delay: Duration = .zero
        var origin: Origin = .server
    }

    /// A received query as the script sees it.
    struct Query: Sendable {
        var message: Message
        var source: SocketAddress
        /// 1-based number of this UDP query.
        var sequence: Int

        var id: UInt16 { message.header.id }
        var question: Question { message.questions[0] }
    }

    typealias UDPScript = @Sendable (Query) -> [Reply]
    /// Returns the message bytes to send back over TCP (framed by the responder), or nil to close.
    typealias TCPScript = @Sendable (Query) -> [UInt8]?

    let port: Int
    let host: String
    private let channels: [any Channel]
    private let received = Mutex<[Query]>([])
    private let tcpReceived = Atomic<Int>(0)

    /// The address to put in ``ResolverConfig/nameservers``.
    var address: SocketAddress {
        get throws { try SocketAddress(ipAddress: host, port: port) }
    }

    /// UDP queries received so far.
    var queries: [Query] { received.withLock { $0 } }
    /// TCP queries received so far.
    var tcpQueries: Int { tcpReceived.load(ordering: .relaxed) }

    private init(host: String, port: Int, channels: [any Channel]) {
        self.host = host
        self.port = port
        self.channels = channels
    }

    /// Starts a responder; `udp` decides the replies to each UDP query, `tcp` (if given)
    /// answers TCP queries on the same port.
    /// `host` is 127.0.0.1 unless a test needs IPv6 (`::1`).
    static func start(host: String = "127.0.0.1", udp: @escaping UDPScript, tcp: TCPScript? = nil) async throws -> HostileResponder {
        let group = MultiThreadedEventLoopGroup.singleton
        let otherPort = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let otherAddress = try await DatagramBootstrap(group: group).bind(host: "127.0.0.2", port: 0).get()
        let box = ResponderBox()
        // UDP on a kernel-chosen port, TCP on the same number; that number can be taken for
        // TCP (e.g. by some connection's ephemeral port), so try a few UDP ports.
        var bound: (port: Int, channels: [any Channel])?
        for _ in 0..<10 where bound == nil {
            let udpChannel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(UDPHandler(
                            script: udp, otherPort: otherPort, otherAddress: otherAddress, box: box))
                    }
                }
                .bind(host: host, port: 0).get()
            guard let port = udpChannel.localAddress?.port else {
                try? await udpChannel.close()
                continue
            }
            guard let tcp else {
                bound = (port, [udpChannel, otherPort, otherAddress])
                break
            }
            do {
                let server = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            guard let peer = channel.remoteAddress else { throw ChannelError.unknownLocalAddress }
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSLengthFrameDecoder(peer: peer)))
                            try channel.pipeline.syncOperations.addHandler(TCPHandler(script: tcp, box: box))
                        }
                    }
                    .bind(host: host, port: port).get()
                bound = (port, [udpChannel, otherPort, otherAddress, server])
            } catch {
                try? await udpChannel.close()
            }
        }
        guard let (port, channels) = bound else {
            try? await otherPort.close()
            try? await otherAddress.close()
            throw ChannelError.unknownLocalAddress
        }
        let responder = HostileResponder(host: host, port: port, channels: channels)
        box.responder.withLock { $0 = responder }
        return responder
    }

    /// Closes every socket.
    func stop() {
        for channel in channels { channel.close(promise: nil) }
    }

    fileprivate func record(_ query: Query) -> Query {
        received.withLock { queries in
            var numbered = query
            numbered.sequence = queries.count + 1
            queries.append(numbered)
            return numbered
        }
    }

    fileprivate func recordTCP() { tcpReceived.add(1, ordering: .relaxed) }
}

/// Lets the channel handlers reach the responder created after them.
private final class ResponderBox: Sendable {
    let responder = Mutex<HostileResponder?>(nil)
}

private final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let script: HostileResponder.UDPScript
    let otherPort: any Channel
    let otherAddress: any Channel
    let box: ResponderBox

    init(script: @escaping HostileResponder.UDPScript, otherPort: any Channel, otherAddress: any Channel, box: ResponderBox) {
        self.script = script
        self.otherPort = otherPort
        self.otherAddress = otherAddress
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let message = try? Message(decoding: envelope.data.readableBytesView), message.questions.count == 1,
              let responder = box.responder.withLock({ $0 })
        else { return }
        let query = responder.record(HostileResponder.Query(message: message, source: envelope.remoteAddress, sequence: 0))
        let channel = context.channel
        for reply in script(query) {
            let sender: any Channel
            switch reply.origin {
            case .server: sender = channel
            case .otherPort: sender = otherPort
            case .otherAddress: sender = otherAddress
            }
            let destination = envelope.remoteAddress
            let bytes = reply.bytes
            let send: @Sendable () -> Void = {
                var buffer = sender.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                sender.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: buffer), promise: nil)
            }
            if reply.delay == .zero {
                send()
            } else {
                _ = context.eventLoop.scheduleTask(in: .nanoseconds(reply.delay.nanosecondsClamped)) { send() }
            }
        }
    }
}

private final class TCPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = ByteBuffer

    let script: HostileResponder.TCPScript
    let box: ResponderBox

    init(script: @escaping HostileResponder.TCPScript, box: ResponderBox) {
        self.script = script
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let message = try? Message(decoding: envelope.data.readableBytesView), message.questions.count == 1,
              let responder = box.responder.withLock({ $0 })
        else {
            context.close(promise: nil)
            return
        }
        responder.recordTCP()
        guard let bytes = script(HostileResponder.Query(message: message, source: envelope.remoteAddress, sequence: 0)) else {
            context.close(promise: nil)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count + 2)
        buffer.writeInteger(UInt16(truncatingIfNeeded: bytes.count))
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}

/// Builders for the replies a script sends.
enum Replies {
    static let service = "_hello-world-service.internal."

    /// A correct response to `query` (same ID and question, QR=1, AA) with the given sections.
    static func answer(
        to query: HostileResponder.Query, answers: [ResourceRecord] = [], additionals: [ResourceRecord] = [],
        authorities: [ResourceRecord] = [], rcode: ResponseCode = .noError, truncated: Bool = false,
        id: UInt16? = nil, question: Question? = nil, isResponse: Bool = true
    ) -> [UInt8] {
        var header = Header(id: id ?? query.id, isResponse: isResponse, authoritativeAnswer: true, truncated: truncated, recursionDesired: true)
        header.rcode = rcode
        let message = Message(
            header: header, questions: [question ?? query.question], answers: answers,
            authorities: authorities, additionals: additionals, edns: EDNS())
        return (try? message.encode()) ?? []
    }

    /// SRV records for tasks 1...n of the Cloud Map service with their A records as glue.
    static func tasks(_ numbers: [Int], ttl: UInt32 = 1) -> (srv: [ResourceRecord], glue: [ResourceRecord]) {
        let owner = name(service)
        var srv: [ResourceRecord] = []
        var glue: [ResourceRecord] = []
        for number in numbers {
            let target = name("task-\(number).\(service)")
            srv.append(ResourceRecord(name: owner, ttl: ttl, data: .srv(SRV(priority: 1, weight: 1, port: UInt16(8000 + number), target: target))))
            glue.append(ResourceRecord(name: target, ttl: ttl, data: .a(IPv4Address(10, 0, 0, UInt8(number)))))
        }
        return (srv, glue)
    }

    /// A well-formed answer with tasks `numbers` for `query`.
    static func taskAnswer(to query: HostileResponder.Query, _ numbers: [Int], ttl: UInt32 = 1) -> [UInt8] {
        let (srv, glue) = tasks(numbers, ttl: ttl)
        return answer(to: query, answers: srv, additionals: glue)
    }

    /// A header claiming to answer `query` whose question name is a compression pointer to itself.
    static func pointerLoop(to query: HostileResponder.Query) -> [UInt8] {
        let id = query.id
        return [UInt8(id >> 8), UInt8(id & 0xFF), 0x84, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 33, 0, 1]
    }

    /// Bytes that are not DNS at all.
    static let garbage: [UInt8] = Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)

    /// A response to `query` with TC set and nothing else usable: no records, cut mid-header.
    static func truncatedNothing(to query: HostileResponder.Query) -> [UInt8] {
        let id = query.id
        return [UInt8(id >> 8), UInt8(id & 0xFF), 0x86, 0x00, 0, 1, 0, 5, 0, 0, 0, 0]
    }

    static func name(_ text: String) -> DomainName {
        (try? DomainName(text)) ?? .root
    }
}
