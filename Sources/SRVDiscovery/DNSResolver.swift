public import DNSWire
public import Logging
public import NIOCore
public import NIOPosix
import NIOConcurrencyHelpers
import Synchronization

/// A stub resolver on SwiftNIO that asks the configured nameservers directly.
///
/// Per query (RFC 5452 §9.2 against spoofing): a fresh UDP socket bound to port 0, so the
/// kernel picks a new random source port, and a 16-bit ID from the system CSPRNG
/// (`SystemRandomNumberGenerator`). The query carries EDNS0 with the configured payload size
/// (RFC 6891). An answer counts only when the internal `ResponseMatcher` accepts it (right source,
/// ID, QR, opcode and question); anything else is dropped, counted and logged while the
/// wait continues. A truncated answer (TC) is asked again over TCP with two-octet length
/// framing (RFC 7766 §5). Each attempt waits `timeout`; the query makes `attempts` rounds
/// over the nameservers, starting at the next one in turn when `rotate` is set, and moves to
/// the next nameserver on a timeout, SERVFAIL or REFUSED. CNAME chains are followed up to
/// ``cnameHopLimit`` links. Identical questions in flight at the same time share one query.
public final class DNSResolver: DNSResolving {
    /// CNAME links followed before giving up (BIND and Unbound use similar small bounds).
    public static let cnameHopLimit = 8

    /// The configuration in use.
    public let configuration: ResolverConfig
    /// Event counters (queries, timeouts, truncations, dropped answers, ...).
    public let counters: ResolverCounters
    private let group: any EventLoopGroup
    private let logger: Logger
    private let nextServer = Atomic<Int>(0)
    private let nextToken = Atomic<Int>(0)
    private let inFlight = NIOLockedValueBox<[QueryKey: SharedQuery]>([:])

    private struct QueryKey: Hashable {
        var name: DomainName
        var type: RecordType
    }

    /// One query in flight and how many callers wait for it; when every waiter has been
    /// cancelled the query itself is cancelled.
    private struct SharedQuery {
        var token: Int
        var task: Task<Result<DNSAnswer, ResolverError>, Never>
        var waiters: Int
        var cancelledWaiters: Int
    }

    /// Creates a resolver; `group` runs the sockets (the NIO singleton by default).
    public init(
        configuration: ResolverConfig,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        counters: ResolverCounters = ResolverCounters(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.group = group
        self.counters = counters
        self.logger = logger
    }

    /// Looks up `type` records of `name`, following CNAMEs. Concurrent identical lookups
    /// share one query; cancelling one caller does not cancel the others' query.
    public func lookup(_ name: DomainName, type: RecordType) async throws(ResolverError) -> DNSAnswer {
        let key = QueryKey(name: name, type: type)
        let task: Task<Result<DNSAnswer, ResolverError>, Never> = inFlight.withLockedValue { queries in
            if var shared = queries[key] {
                counters.countCoalesced()
                shared.waiters += 1
                queries[key] = shared
                return shared.task
            }
            let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
            let task = Task { [self] in
                let result = await self.resolveFollowingCNAMEs(Question(name: name, type: type))
                self.inFlight.withLockedValue { queries in
                    if queries[key]?.token == token { queries[key] = nil }
                }
                return result
            }
            queries[key] = SharedQuery(token: token, task: task, waiters: 1, cancelledWaiters: 0)
            return task
        }
        let result = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            self.waiterCancelled(key, task: task)
        }
        return try result.get()
    }

    /// A caller stopped waiting; the last one to stop cancels the query, which then ends
    /// within moments (sockets are closed) instead of running through its attempts.
    private func waiterCancelled(_ key: QueryKey, task: Task<Result<DNSAnswer, ResolverError>, Never>) {
        let cancelQuery = inFlight.withLockedValue { queries -> Bool in
            guard var shared = queries[key], shared.task == task else { return false }
            shared.cancelledWaiters += 1
            if shared.cancelledWaiters >= shared.waiters {
                queries[key] = nil  // later callers start afresh
                return true
            }
            queries[key] = shared
            return false
        }
        if cancelQuery { task.cancel() }
    }

    /// Looks up a name as a user typed it, trying the search list (``ResolverConfig/candidateNames(for:)``)
    /// until one candidate has records; NXDOMAIN/NODATA move on to the next candidate.
    public func lookup(searching name: String, type: RecordType) async throws(ResolverError) -> DNSAnswer {
        var firstError: ResolverError?
        for candidate in configuration.candidateNames(for: name) {
            guard let domain = try? DomainName(candidate) else {
                firstError = firstError ?? .invalidName(candidate)
                continue
            }
            do {
                return try await lookup(domain, type: type)
            } catch where error.isAuthoritativeEmpty {
                firstError = firstError ?? error
            }
        }
        throw firstError ?? .invalidName(name)
    }

    private func resolveFollowingCNAMEs(_ original: Question) async -> Result<DNSAnswer, ResolverError> {
        let interpreter = AnswerInterpreter(original: original, hopLimit: Self.cnameHopLimit)
        var asked = original
        var visited = [original.name]
        var chainTTL: UInt32?
        var dropped = 0
        while true {
            if Task.isCancelled { return .failure(.cancelled) }
            let response: (Message, String)
            switch await exchange(asked) {
            case .success(let value): response = value
            case .failure(let error): return .failure(error)
            }
            switch interpreter.interpret(response.0, asked: asked, visited: visited, chainTTL: chainTTL, nameserver: response.1) {
            case .answer(var answer):
                answer.recordsDropped += dropped
                counters.countRecordsDropped(answer.recordsDropped)
                return .success(answer)
            case .failure(let error):
                counters.countRecordsDropped(dropped)
                return .failure(error)
            case .followCNAME(let target, let ttl, let chain, let recordsDropped):
                logger.debug("following CNAME", metadata: ["from": "\(asked.name)", "to": "\(target)"])
                dropped += recordsDropped
                chainTTL = ttl
                visited = chain
                asked = Question(name: target, type: original.type, recordClass: original.recordClass)
            }
        }
    }

    /// Asks the nameservers in turn until one gives a usable response (anything but a
    /// timeout, SERVFAIL or REFUSED); returns it with the server's name for errors.
    private func exchange(_ question: Question) async -> Result<(Message, String), ResolverError> {
        let servers = configuration.nameservers
        guard !servers.isEmpty else { return .failure(.noNameservers) }
        let start = configuration.rotate ? nextServer.wrappingAdd(1, ordering: .relaxed).oldValue : 0
        var lastError = ResolverError.timeout(name: "\(question.name)", attempts: configuration.attempts)
        var sawAnswer = false
        for round in 0..<configuration.attempts {
            for index in 0..<servers.count {
                if Task.isCancelled { return .failure(.cancelled) }
                let server = servers[(start &+ index) % servers.count]
                let serverName = server.hostAndPort
                switch await ask(question, server: server) {
                case .success(let message):
                    switch message.header.rcode {
                    case .serverFailure:
                        lastError = .serverFailure(nameserver: serverName)
                        sawAnswer = true
                    case .refused:
                        lastError = .refused(nameserver: serverName)
                        sawAnswer = true
                    default:
                        return .success((message, serverName))
                    }
                case .failure(.cancelled):
                    return .failure(.cancelled)
                case .failure(let error):
                    if case .timeout = error {
                        if !sawAnswer { lastError = .timeout(name: "\(question.name)", attempts: round + 1) }
                    } else {
                        lastError = error
                    }
                }
            }
        }
        return .failure(lastError)
    }

    /// One attempt with one server: UDP, and TCP if the UDP answer was truncated.
    /// `withEDNS`: false only for the retry after a server answered FORMERR without an OPT
    /// record, i.e. does not speak EDNS (RFC 6891 §7).
    private func ask(_ question: Question, server: SocketAddress, withEDNS: Bool = true) async -> Result<Message, ResolverError> {
        var generator = SystemRandomNumberGenerator()
        let id = UInt16.random(in: .min ... .max, using: &generator)
        let query = Message.query(
            id: id, name: question.name, type: question.type, recordClass: question.recordClass,
            recursionDesired: true, edns: withEDNS ? EDNS(udpPayloadSize: configuration.ednsPayloadSize) : nil)
        let bytes: [UInt8]
        do {
            bytes = try query.encode()
        } catch {
            return .failure(.invalidName("\(question.name)"))
        }
        let matcher = ResponseMatcher(id: id, question: question, nameserver: server)
        counters.countQuery()
        switch await exchangeUDP(bytes, matcher: matcher, server: server) {
        case .message(let message) where withEDNS && message.header.rcode == .formatError && message.edns == nil:
            logger.debug("FORMERR without OPT: nameserver does not speak EDNS, asking again without it", metadata: ["server": "\(server)"])
            return await ask(question, server: server, withEDNS: false)
        case .message(let message) where !message.header.truncated:
            return .success(message)
        case .message, .truncatedUndecodable:
            counters.countTruncation()
            counters.countTCPRetry()
            counters.countQuery()
            logger.debug("truncated answer, retrying over TCP", metadata: ["server": "\(server)", "question": "\(question.name) \(question.type)"])
            switch await exchangeTCP(bytes, matcher: matcher, server: server) {
            case .message(let message) where !message.header.truncated:
                return .success(message)
            case .message:
                return .failure(.truncatedAndTCPFailed(nameserver: server.hostAndPort, reason: "TC set over TCP"))
            case .truncatedUndecodable:
                return .failure(.truncatedAndTCPFailed(nameserver: server.hostAndPort, reason: "undecodable TC answer over TCP"))
            case .timeout:
                counters.countTimeout()
                return .failure(.truncatedAndTCPFailed(nameserver: server.hostAndPort, reason: "timeout"))
            case .transportFailure(let reason):
                return .failure(.truncatedAndTCPFailed(nameserver: server.hostAndPort, reason: reason))
            }
        case .timeout:
            counters.countTimeout()
            logger.debug("DNS query timed out", metadata: ["server": "\(server)", "question": "\(question.name) \(question.type)"])
            return .failure(.timeout(name: "\(question.name)", attempts: 1))
        case .transportFailure(let reason):
            return Task.isCancelled ? .failure(.cancelled) : .failure(.transport(reason))
        }
    }

    private func exchangeUDP(_ bytes: [UInt8], matcher: ResponseMatcher, server: SocketAddress) async -> ExchangeResult {
        let loop = group.next()
        let promise = loop.makePromise(of: ExchangeResult.self)
        let timeout = TimeAmount.nanoseconds(configuration.timeout.nanosecondsClamped)
        let (counters, logger) = (self.counters, self.logger)
        let bindHost = server.protocol == .inet6 ? "::" : "0.0.0.0"
        let channel: any Channel
        do {
            // Port 0: the kernel gives every query a fresh ephemeral port (randomised on Linux).
            channel = try await DatagramBootstrap(group: loop)
                // NIO reads at most 2048 bytes per datagram by default: a larger answer (EDNS
                // payload above 2048, or a server ignoring the advertised size) would arrive cut
                // and be dropped as malformed. One short-lived socket per query, so read whole.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_535))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ExchangeHandler(
                            matcher: matcher, promise: promise, query: bytes, server: server,
                            timeout: timeout, isStream: false, counters: counters, logger: logger))
                    }
                }
                .bind(host: bindHost, port: 0)
                .get()
        } catch {
            return .transportFailure("cannot open UDP socket: \(error)")
        }
        return await Self.wait(for: promise, closing: channel)
    }

    private func exchangeTCP(_ bytes: [UInt8], matcher: ResponseMatcher, server: SocketAddress) async -> ExchangeResult {
        let loop = group.next()
        let promise = loop.makePromise(of: ExchangeResult.self)
        let timeout = TimeAmount.nanoseconds(configuration.timeout.nanosecondsClamped)
        let (counters, logger) = (self.counters, self.logger)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSLengthFrameDecoder(peer: server)))
                        try channel.pipeline.syncOperations.addHandler(ExchangeHandler(
                            matcher: matcher, promise: promise, query: bytes, server: server,
                            timeout: timeout, isStream: true, counters: counters, logger: logger))
                    }
                }
                .connect(to: server)
                .get()
        } catch {
            // The handler may have seen the failure too; a second completion is ignored.
            promise.succeed(.transportFailure("cannot connect over TCP: \(error)"))
            return (try? await promise.futureResult.get()) ?? .transportFailure("cannot connect over TCP")
        }
        return await Self.wait(for: promise, closing: channel)
    }

    /// Waits for the exchange; if the task is cancelled, closes the channel, which completes
    /// the exchange at once (the handler sees the channel go inactive).
    private static func wait(for promise: EventLoopPromise<ExchangeResult>, closing channel: any Channel) async -> ExchangeResult {
        await withTaskCancellationHandler {
            (try? await promise.futureResult.get()) ?? .transportFailure("exchange abandoned")
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}

extension Duration {
    /// The duration in nanoseconds, saturating instead of trapping for huge values.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : total
    }
}
