import DNSWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A nameserver on 127.0.0.1 (UDP and TCP on one port) for proxyd's end-to-end tests, whose
/// behaviour a test switches while proxyd follows it: first correct SRV + A answers for the
/// good tasks, then one hostile ``Mode`` after another. Every hostile answer names only the
/// planted "evil" endpoint, so a test proves that no bad answer was ever used by checking that
/// the evil endpoint never got a connection.
///
/// (SRVDiscovery's own tests drive its resolver against a similar responder in-process; this
/// one is for proxyd as a whole: the running binary, its watcher, balancer and logs.)
final class HostileNameserver: Sendable {
    enum Mode: String, Sendable, CaseIterable {
        /// Correct answers for the good tasks.
        case good
        /// An answer with the evil endpoint whose ID is not the query's.
        case spoofedID
        /// An answer with the right ID and the evil endpoint, sent from 127.0.0.2 and from
        /// another port of 127.0.0.1, never from the address queried.
        case wrongSource
        /// A TC answer carrying the evil endpoint; over TCP the connection is closed at once.
        case truncatedTCPBroken
        /// A TC answer carrying the evil endpoint; over TCP the query is read and never answered.
        case truncatedTCPSlow
        /// The evil answer with the right ID and source, padded with junk to 60 KB: far over
        /// the advertised EDNS payload size, and not a DNS message (bytes after the records).
        case oversized
        /// A response whose question name is a compression pointer to itself.
        case compressionLoop
        /// The good answer, sent 2 s after the query: after the resolver gave up (300 ms × 2
        /// attempts). Its records are the real tasks: an answer from the queried server with
        /// the right ID is genuine, and whether it still counts depends only on timing — a
        /// machine stalled for seconds can read it before its timer fires. What this mode
        /// proves is that proxyd keeps serving and counts the timeouts.
        case slow
        /// No answer at all.
        case silent
        /// SERVFAIL, with the evil endpoint in its answer section anyway.
        case serverFailure
    }

    static let service = "_hello-world-service.internal."

    let port: Int
    private let channels: [any Channel]
    private let state: NIOLockedValueBox<State>

    struct State: Sendable {
        var mode: Mode = .good
        var goodPorts: [Int]
        var evilPort: Int
        /// UDP queries received in each mode.
        var queries: [Mode: Int] = [:]
        var tcpQueries: [Mode: Int] = [:]
    }

    var mode: Mode {
        get { state.withLockedValue { $0.mode } }
        set { state.withLockedValue { $0.mode = newValue } }
    }

    /// UDP and TCP queries received while `mode` was on.
    func queries(in mode: Mode) -> (udp: Int, tcp: Int) {
        state.withLockedValue { ($0.queries[mode] ?? 0, $0.tcpQueries[mode] ?? 0) }
    }

    private init(port: Int, channels: [any Channel], state: NIOLockedValueBox<State>) {
        self.port = port
        self.channels = channels
        self.state = state
    }

    /// Starts serving good answers for the tasks on 127.0.0.1 `goodPorts`; hostile answers
    /// name 127.0.0.1:`evilPort`.
    static func start(goodPorts: [Int], evilPort: Int) async throws -> HostileNameserver {
        let group = MultiThreadedEventLoopGroup.singleton
        let state = NIOLockedValueBox(State(goodPorts: goodPorts, evilPort: evilPort))
        let otherPort = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let otherAddress = try await DatagramBootstrap(group: group).bind(host: "127.0.0.2", port: 0).get()
        // UDP on a kernel-chosen port and TCP on the same number, which may be taken for TCP:
        // try a few.
        for _ in 0..<10 {
            let udp = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            HostileUDPHandler(state: state, otherPort: otherPort, otherAddress: otherAddress))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            guard let port = udp.localAddress?.port else {
                try? await udp.close()
                continue
            }
            do {
                let tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(HostileTCPHandler(state: state))
                        }
                    }
                    .bind(host: "127.0.0.1", port: port).get()
                return HostileNameserver(port: port, channels: [udp, tcp, otherPort, otherAddress], state: state)
            } catch {
                try? await udp.close()
            }
        }
        try? await otherPort.close()
        try? await otherAddress.close()
        throw ChannelError.unknownLocalAddress
    }

    func stop() {
        for channel in channels { channel.close(promise: nil) }
    }

    // MARK: Answers

    static func name(_ text: String) -> DomainName { (try? DomainName(text)) ?? .root }

    /// SRV records (or, for an A query, A records) for `ports` on 127.0.0.1, with A glue.
    static func records(for question: Question, ports: [Int], prefix: String) -> (answers: [ResourceRecord], glue: [ResourceRecord]) {
        let localhost = IPv4Address(127, 0, 0, 1)
        if question.type == .a {
            return ([ResourceRecord(name: question.name, ttl: 1, data: .a(localhost))], [])
        }
        var answers: [ResourceRecord] = []
        var glue: [ResourceRecord] = []
        for (index, port) in ports.enumerated() {
            let target = name("\(prefix)-\(index + 1).internal.")
            answers.append(ResourceRecord(name: question.name, ttl: 1, data: .srv(SRV(priority: 1, weight: 1, port: UInt16(port), target: target))))
            glue.append(ResourceRecord(name: target, ttl: 1, data: .a(localhost)))
        }
        return (answers, glue)
    }

    /// A response to `query` with `ports`' records.
    static func response(
        to query: Message, ports: [Int], prefix: String, id: UInt16? = nil, truncated: Bool = false,
        rcode: ResponseCode = .noError
    ) -> [UInt8] {
        guard let question = query.questions.first else { return [] }
        let (answers, glue) = records(for: question, ports: ports, prefix: prefix)
        let header = Header(
            id: id ?? query.header.id, isResponse: true, authoritativeAnswer: true, truncated: truncated,
            recursionDesired: query.header.recursionDesired, rcode: rcode)
        let message = Message(header: header, questions: [question], answers: answers, additionals: glue, edns: EDNS())
        return (try? message.encode()) ?? []
    }

    /// A response header for `id` with one question whose name points at itself (offset 12).
    static func pointerLoop(id: UInt16) -> [UInt8] {
        [UInt8(id >> 8), UInt8(id & 0xFF), 0x84, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 33, 0, 1]
    }
}

private final class HostileUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let state: NIOLockedValueBox<HostileNameserver.State>
    private let otherPort: any Channel
    private let otherAddress: any Channel

    init(state: NIOLockedValueBox<HostileNameserver.State>, otherPort: any Channel, otherAddress: any Channel) {
        self.state = state
        self.otherPort = otherPort
        self.otherAddress = otherAddress
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let query = try? Message(decoding: envelope.data.readableBytesView), !query.questions.isEmpty else { return }
        let (mode, good, evil) = state.withLockedValue { state in
            state.queries[state.mode, default: 0] += 1
            return (state.mode, state.goodPorts, state.evilPort)
        }
        let id = query.header.id
        let evilAnswer = HostileNameserver.response(to: query, ports: [evil], prefix: "evil")
        let destination = envelope.remoteAddress
        let channel = context.channel
        func send(_ bytes: [UInt8], from sender: any Channel, after delay: TimeAmount = .zero) {
            let write: @Sendable () -> Void = {
                var buffer = sender.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                sender.writeAndFlush(AddressedEnvelope(remoteAddress: destination, data: buffer), promise: nil)
            }
            if delay == .zero { write() } else { _ = sender.eventLoop.scheduleTask(in: delay) { write() } }
        }
        switch mode {
        case .good:
            send(HostileNameserver.response(to: query, ports: good, prefix: "task"), from: channel)
        case .spoofedID:
            send(HostileNameserver.response(to: query, ports: [evil], prefix: "evil", id: id &+ 1), from: channel)
            send(HostileNameserver.response(to: query, ports: [evil], prefix: "evil", id: id ^ 0x5A5A), from: channel)
        case .wrongSource:
            send(evilAnswer, from: otherAddress)
            send(evilAnswer, from: otherPort)
        case .truncatedTCPBroken, .truncatedTCPSlow:
            send(HostileNameserver.response(to: query, ports: [evil], prefix: "evil", truncated: true), from: channel)
        case .oversized:
            send(evilAnswer + [UInt8](repeating: 0xC0, count: 60_000 - evilAnswer.count), from: channel)
        case .compressionLoop:
            send(HostileNameserver.pointerLoop(id: id), from: channel)
        case .slow:
            send(HostileNameserver.response(to: query, ports: good, prefix: "task"), from: channel, after: .seconds(2))
        case .silent:
            break
        case .serverFailure:
            send(HostileNameserver.response(to: query, ports: [evil], prefix: "evil", rcode: .serverFailure), from: channel)
        }
    }
}

/// DNS over TCP (RFC 7766): two length octets, then the message.
private final class HostileTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let state: NIOLockedValueBox<HostileNameserver.State>
    private var pending: ByteBuffer?

    init(state: NIOLockedValueBox<HostileNameserver.State>) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if pending == nil { pending = incoming } else { pending?.writeBuffer(&incoming) }
        guard var buffer = pending, let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= Int(length) + 2 else { return }
        buffer.moveReaderIndex(forwardBy: 2)
        let bytes = buffer.readBytes(length: Int(length)) ?? []
        pending = nil
        guard let query = try? Message(decoding: bytes) else {
            context.close(promise: nil)
            return
        }
        let (mode, good) = state.withLockedValue { state in
            state.tcpQueries[state.mode, default: 0] += 1
            return (state.mode, state.goodPorts)
        }
        switch mode {
        case .truncatedTCPBroken:
            context.close(promise: nil)
        case .truncatedTCPSlow:
            break  // read, never answered
        default:
            let answer = HostileNameserver.response(to: query, ports: good, prefix: "task")
            var out = context.channel.allocator.buffer(capacity: answer.count + 2)
            out.writeInteger(UInt16(answer.count))
            out.writeBytes(answer)
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }
    }
}

/// A TCP listener that only counts the connections it gets: the planted evil endpoint.
final class ConnectionCounter: Sendable {
    private let channel: any Channel
    private let counter: NIOLockedValueBox<Int>

    var port: Int { channel.localAddress?.port ?? 0 }
    var connections: Int { counter.withLockedValue { $0 } }

    private init(channel: any Channel, counter: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.counter = counter
    }

    static func start() async throws -> ConnectionCounter {
        let counter = NIOLockedValueBox(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                counter.withLockedValue { $0 += 1 }
                return channel.close()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ConnectionCounter(channel: channel, counter: counter)
    }

    func stop() { channel.close(promise: nil) }
}
