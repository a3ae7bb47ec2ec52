import DNSWire
import Logging
import NIOCore
import Testing

@testable import SRVDiscovery

/// What a real server will not send, from an in-process responder: each hostile packet is
/// dropped, counted and logged, and the real answer that follows is still used.
@Suite("Resolver against a hostile responder", .timeLimit(.minutes(1)))
struct HostileResponderTests {
    static let service = "_hello-world-service.internal."

    private func resolver(
        _ responders: [HostileResponder], timeout: Duration = .seconds(2), attempts: Int = 1, rotate: Bool = false
    ) throws -> (DNSResolver, CapturingLogHandler.Store) {
        let (logger, store) = CapturingLogHandler.logger()
        let config = ResolverConfig(nameservers: try responders.map { try $0.address }, timeout: timeout, attempts: attempts, rotate: rotate)
        return (DNSResolver(configuration: config, logger: logger), store)
    }

    /// Sends `hostile` first, then the real answer with tasks 1 and 2; expects the real answer,
    /// and returns the counters.
    private func survives(_ hostile: @escaping @Sendable (HostileResponder.Query) -> HostileResponder.Reply) async throws -> (ResolverStatistics, [String]) {
        let responder = try await HostileResponder.start(udp: { query in
            [hostile(query), .init(bytes: Replies.taskAnswer(to: query, [1, 2]), delay: .milliseconds(150))]
        })
        defer { responder.stop() }
        let (dns, logs) = try resolver([responder], timeout: .seconds(2))
        let answer = try await SRVResolver(resolver: dns, logger: Logger.quiet).resolveSRV(Self.service)
        #expect(answer.endpoints.map(\.port) == [8001, 8002])
        return (dns.counters.snapshot(), logs.messages(atLeast: .debug))
    }

    @Test("an answer with the wrong ID is dropped and counted; the real answer is used")
    func wrongID() async throws {
        let (stats, logs) = try await survives { query in .init(bytes: Replies.answer(to: query, id: query.id &+ 1)) }
        #expect(stats.droppedMismatchedAnswers == 1)
        #expect(logs.contains("dropped mismatched DNS answer"))
    }

    @Test("an answer for another name is dropped and counted")
    func wrongName() async throws {
        let (stats, _) = try await survives { query in
            .init(bytes: Replies.answer(to: query, question: Question(name: Replies.name("_evil.internal."), type: .srv)))
        }
        #expect(stats.droppedMismatchedAnswers == 1)
    }

    @Test("an answer for another type or class is dropped and counted")
    func wrongTypeOrClass() async throws {
        let (stats, _) = try await survives { query in
            .init(bytes: Replies.answer(to: query, question: Question(name: query.question.name, type: .a)))
        }
        #expect(stats.droppedMismatchedAnswers == 1)
        let (chaos, _) = try await survives { query in
            .init(bytes: Replies.answer(to: query, question: Question(name: query.question.name, type: .srv, recordClass: .chaos)))
        }
        #expect(chaos.droppedMismatchedAnswers == 1)
    }

    @Test("a message with QR clear (our query reflected back) is dropped")
    func notAResponse() async throws {
        let (stats, _) = try await survives { query in .init(bytes: Replies.answer(to: query, isResponse: false)) }
        #expect(stats.droppedMismatchedAnswers == 1)
    }

    @Test("the question name echoed in another letter case is accepted (RFC 4343)")
    func caseInsensitiveQuestion() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            let upper = Question(name: Replies.name(Self.service.uppercased()), type: .srv)
            let (srv, glue) = Replies.tasks([1])
            return [.init(bytes: Replies.answer(to: query, answers: srv, additionals: glue, question: upper))]
        })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder])
        let answer = try await dns.lookup(Replies.name(Self.service), type: .srv)
        #expect(answer.records.count == 1)
        #expect(dns.counters.snapshot().droppedMismatchedAnswers == 0)
    }

    @Test("an answer from another port of the same address is dropped, counted and logged as a warning")
    func otherPort() async throws {
        let (stats, _) = try await survives { query in .init(bytes: Replies.taskAnswer(to: query, [9]), origin: .otherPort) }
        #expect(stats.droppedMismatchedAnswers == 1)
    }

    @Test("an answer from another address is dropped and counted")
    func otherAddress() async throws {
        let (stats, logs) = try await survives { query in .init(bytes: Replies.taskAnswer(to: query, [9]), origin: .otherAddress) }
        #expect(stats.droppedMismatchedAnswers == 1)
        #expect(logs.contains("dropped DNS answer from an address that was not queried"))
    }

    @Test("garbage bytes are dropped and counted as malformed")
    func garbage() async throws {
        let (stats, logs) = try await survives { _ in .init(bytes: Replies.garbage) }
        #expect(stats.droppedMalformedAnswers == 1)
        #expect(logs.contains("dropped undecodable DNS answer"))
    }

    @Test("a compression pointer loop is dropped as malformed")
    func pointerLoop() async throws {
        let (stats, _) = try await survives { query in .init(bytes: Replies.pointerLoop(to: query)) }
        #expect(stats.droppedMalformedAnswers == 1)
    }

    @Test("only hostile packets and no real answer end in a timeout, never in records")
    func onlyHostile() async throws {
        let responder = try await HostileResponder.start(udp: { query in [
            .init(bytes: Replies.answer(to: query, id: query.id &+ 1)),
            .init(bytes: Replies.taskAnswer(to: query, [7]), origin: .otherPort),
            .init(bytes: Replies.garbage),
            .init(bytes: Replies.pointerLoop(to: query)),
        ] })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder], timeout: .milliseconds(300))
        await #expect(throws: ResolverError.timeout(name: Self.service, attempts: 1)) {
            _ = try await dns.lookup(Replies.name(Self.service), type: .srv)
        }
        #expect(dns.counters.snapshot() == ResolverStatistics(
            queries: 1, timeouts: 1, droppedMismatchedAnswers: 2, droppedMalformedAnswers: 2))
    }

    @Test("an answer slower than the timeout counts as a timeout; the next attempt's timely answer is used")
    func slowAnswer() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            [.init(bytes: Replies.taskAnswer(to: query, [1]), delay: query.sequence == 1 ? .milliseconds(600) : .zero)]
        })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder], timeout: .milliseconds(250), attempts: 2)
        let answer = try await dns.lookup(Replies.name(Self.service), type: .srv)
        #expect(answer.records.count == 1)
        #expect(dns.counters.snapshot().timeouts == 1)
        #expect(dns.counters.snapshot().queries == 2)
    }

    @Test("TC with nothing usable and TCP refused fails as truncatedAndTCPFailed")
    func truncatedWithoutTCP() async throws {
        let responder = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.truncatedNothing(to: query))] })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder])
        do {
            _ = try await dns.lookup(Replies.name(Self.service), type: .srv)
            Issue.record("expected a failure")
        } catch {
            guard case .truncatedAndTCPFailed(let server, _) = error else {
                Issue.record("expected truncatedAndTCPFailed, got \(error)")
                return
            }
            #expect(server == (try responder.address.hostAndPort))
        }
        let stats = dns.counters.snapshot()
        #expect(stats.truncations == 1)
        #expect(stats.tcpRetries == 1)
    }

    @Test("TC over UDP and garbage over TCP gives no records")
    func truncatedThenTCPGarbage() async throws {
        let responder = try await HostileResponder.start(
            udp: { query in [.init(bytes: Replies.answer(to: query, truncated: true))] },
            tcp: { _ in Replies.garbage })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder], timeout: .milliseconds(300))
        await #expect(throws: ResolverError.truncatedAndTCPFailed(nameserver: try responder.address.hostAndPort, reason: "timeout")) {
            _ = try await dns.lookup(Replies.name(Self.service), type: .srv)
        }
        #expect(dns.counters.snapshot().droppedMalformedAnswers == 1)
        #expect(responder.tcpQueries == 1)
    }

    @Test("TC over UDP is retried over TCP on the same server and the TCP answer is used")
    func truncatedThenTCP() async throws {
        let responder = try await HostileResponder.start(
            udp: { query in [.init(bytes: Replies.answer(to: query, answers: Replies.tasks([1]).srv, truncated: true))] },
            tcp: { query in Replies.taskAnswer(to: query, [1, 2, 3]) })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder])
        let answer = try await dns.lookup(Replies.name(Self.service), type: .srv)
        #expect(answer.records.count == 3)
        #expect(dns.counters.snapshot().tcpRetries == 1)
    }

    @Test("a CNAME loop in a NOERROR answer is a typed error")
    func cnameLoop() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            let a = Replies.name("a.internal.")
            let b = Replies.name("b.internal.")
            return [.init(bytes: Replies.answer(to: query, answers: [
                ResourceRecord(name: a, ttl: 5, data: .cname(b)),
                ResourceRecord(name: b, ttl: 5, data: .cname(a)),
            ]))]
        })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder])
        await #expect(throws: ResolverError.cnameChainTooLong(name: "a.internal.", limit: DNSResolver.cnameHopLimit)) {
            _ = try await dns.lookup(Replies.name("a.internal."), type: .srv)
        }
    }

    @Test("a CNAME chain across responses is followed only up to the hop limit")
    func cnameChainBound() async throws {
        // c0 -> c1 -> c2 -> ..., one link per response: a server that never ends the chain.
        let responder = try await HostileResponder.start(udp: { query in
            let current = "\(query.question.name)"
            let index = Int(current.dropFirst().prefix { $0 != "." }) ?? 0
            let next = Replies.name("c\(index + 1).internal.")
            return [.init(bytes: Replies.answer(to: query, answers: [ResourceRecord(name: query.question.name, ttl: 5, data: .cname(next))]))]
        })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder])
        await #expect(throws: ResolverError.cnameChainTooLong(name: "c0.internal.", limit: DNSResolver.cnameHopLimit)) {
            _ = try await dns.lookup(Replies.name("c0.internal."), type: .srv)
        }
        #expect(responder.queries.count <= DNSResolver.cnameHopLimit + 1)
    }

    @Test("identical lookups in flight at once share one query")
    func coalescing() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            [.init(bytes: Replies.taskAnswer(to: query, [1]), delay: .milliseconds(100))]
        })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder])
        let name = Replies.name(Self.service)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 {
                group.addTask { try await dns.lookup(name, type: .srv).records.count }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 1, count: 10))
        #expect(responder.queries.count == 1)
        #expect(dns.counters.snapshot().coalescedQueries == 9)
    }

    @Test("every query uses a fresh source port and a random ID")
    func randomPortsAndIDs() async throws {
        let responder = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1]))] })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder], timeout: .seconds(2))
        for _ in 0..<20 {
            _ = try await dns.lookup(Replies.name(Self.service), type: .srv)
        }
        let queries = responder.queries
        #expect(queries.count == 20)
        #expect(Set(queries.compactMap(\.source.port)).count >= 18)
        #expect(Set(queries.map(\.id)).count >= 18)
        #expect(queries.allSatisfy { $0.message.edns?.udpPayloadSize == 1232 })
    }

    @Test("a silent first nameserver is skipped after its timeout and the second one answers")
    func failover() async throws {
        let silent = try await HostileResponder.start(udp: { _ in [] })
        let good = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1]))] })
        defer { silent.stop(); good.stop() }
        let (dns, _) = try resolver([silent, good], timeout: .milliseconds(200))
        let answer = try await dns.lookup(Replies.name(Self.service), type: .srv)
        #expect(answer.records.count == 1)
        #expect(dns.counters.snapshot().timeouts == 1)
    }

    @Test("SERVFAIL from the first nameserver moves on to the second")
    func servfailFailover() async throws {
        let failing = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.answer(to: query, rcode: .serverFailure))] })
        let good = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1]))] })
        defer { failing.stop(); good.stop() }
        let (dns, _) = try resolver([failing, good])
        #expect(try await dns.lookup(Replies.name(Self.service), type: .srv).records.count == 1)
        #expect(failing.queries.count == 1)
    }

    @Test("SERVFAIL from every nameserver is a serverFailure, REFUSED a refused")
    func servfailEverywhere() async throws {
        let failing = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.answer(to: query, rcode: .serverFailure))] })
        let refusing = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.answer(to: query, rcode: .refused))] })
        defer { failing.stop(); refusing.stop() }
        let (failingDNS, _) = try resolver([failing])
        await #expect(throws: ResolverError.serverFailure(nameserver: try failing.address.hostAndPort)) {
            _ = try await failingDNS.lookup(Replies.name(Self.service), type: .srv)
        }
        let (refusingDNS, _) = try resolver([refusing])
        await #expect(throws: ResolverError.refused(nameserver: try refusing.address.hostAndPort)) {
            _ = try await refusingDNS.lookup(Replies.name(Self.service), type: .srv)
        }
    }

    @Test("with rotate, successive queries start at successive nameservers")
    func rotate() async throws {
        let first = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1]))] })
        let second = try await HostileResponder.start(udp: { query in [.init(bytes: Replies.taskAnswer(to: query, [1]))] })
        defer { first.stop(); second.stop() }
        let (dns, _) = try resolver([first, second], rotate: true)
        for _ in 0..<4 {
            _ = try await dns.lookup(Replies.name(Self.service), type: .srv)
        }
        #expect(first.queries.count == 2)
        #expect(second.queries.count == 2)
    }

    @Test("answer records of other owners are dropped and counted")
    func foreignRecordsDropped() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            let (srv, glue) = Replies.tasks([1])
            let foreign = ResourceRecord(name: Replies.name("elsewhere.example."), ttl: 5, data: .a(IPv4Address(192, 0, 2, 1)))
            return [.init(bytes: Replies.answer(to: query, answers: srv + [foreign], additionals: glue))]
        })
        defer { responder.stop() }
        let (dns, _) = try resolver([responder])
        let answer = try await dns.lookup(Replies.name(Self.service), type: .srv)
        #expect(answer.records.count == 1)
        #expect(answer.recordsDropped == 1)
        #expect(dns.counters.snapshot().recordsDropped == 1)
    }
}

@Suite("Resolver transport details", .timeLimit(.minutes(1)))
struct ResolverTransportTests {
    @Test("an IPv6 nameserver (::1) is queried from an IPv6 socket, over UDP and TCP")
    func ipv6Nameserver() async throws {
        let responder = try await HostileResponder.start(
            host: "::1",
            udp: { query in [.init(bytes: Replies.answer(to: query, truncated: true))] },
            tcp: { query in Replies.taskAnswer(to: query, [1, 2]) })
        defer { responder.stop() }
        let config = ResolverConfig(nameservers: [try responder.address], timeout: .seconds(2), attempts: 1)
        let dns = DNSResolver(configuration: config, logger: Logger.quiet)
        let answer = try await dns.lookup(Replies.name(Replies.service), type: .srv)
        #expect(answer.records.count == 2)
        #expect(responder.queries.first?.source.protocol == .inet6)
        #expect(responder.tcpQueries == 1)
    }

    @Test("a relative name is tried with the search domains in order until one has records")
    func searchList() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            if "\(query.question.name)" == "_hello-world-service.internal." {
                return [.init(bytes: Replies.taskAnswer(to: query, [1]))]
            }
            return [.init(bytes: Replies.answer(to: query, rcode: .nameError))]
        })
        defer { responder.stop() }
        let config = ResolverConfig(
            nameservers: [try responder.address], timeout: .seconds(2), attempts: 1,
            searchDomains: ["eu-west-1.compute.internal", "internal"], ndots: 2)
        let dns = DNSResolver(configuration: config, logger: Logger.quiet)
        let answer = try await dns.lookup(searching: "_hello-world-service", type: .srv)
        #expect(answer.records.count == 1)
        #expect(responder.queries.map { "\($0.question.name)" } == [
            "_hello-world-service.eu-west-1.compute.internal.", "_hello-world-service.internal.",
        ])
    }
}

@Suite("Cancellation", .timeLimit(.minutes(1)))
struct ResolverCancellationTests {
    @Test("cancelling the only caller ends a lookup at once instead of after its timeouts")
    func cancelLookup() async throws {
        let silent = try await HostileResponder.start(udp: { _ in [] })
        defer { silent.stop() }
        let config = ResolverConfig(nameservers: [try silent.address], timeout: .seconds(5), attempts: 2)
        let dns = DNSResolver(configuration: config, logger: Logger.quiet)
        let lookup = Task { () -> ResolverError? in
            do throws(ResolverError) {
                _ = try await dns.lookup(Replies.name(Replies.service), type: .srv)
                return nil
            } catch {
                return error
            }
        }
        let sent = ContinuousClock.now + .seconds(3)
        while silent.queries.isEmpty, ContinuousClock.now < sent {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(silent.queries.count == 1)
        let cancelled = ContinuousClock.now
        lookup.cancel()
        let error = await lookup.value
        #expect(error == .cancelled)
        #expect(ContinuousClock.now - cancelled < .seconds(2))
    }

    @Test("a cancelled caller does not cancel the query another caller still waits for")
    func sharedQuerySurvives() async throws {
        let slow = try await HostileResponder.start(udp: { query in
            [.init(bytes: Replies.taskAnswer(to: query, [1]), delay: .milliseconds(800))]
        })
        defer { slow.stop() }
        let config = ResolverConfig(nameservers: [try slow.address], timeout: .seconds(3), attempts: 1)
        let dns = DNSResolver(configuration: config, logger: Logger.quiet)
        let name = Replies.name(Replies.service)
        let patient = Task { try await dns.lookup(name, type: .srv).records.count }
        let sent = ContinuousClock.now + .seconds(2)
        while slow.queries.isEmpty, ContinuousClock.now < sent {
            try await Task.sleep(for: .milliseconds(10))
        }
        let impatient = Task { try await dns.lookup(name, type: .srv).records.count }
        try await Task.sleep(for: .milliseconds(50))
        impatient.cancel()
        #expect(try await patient.value == 1)
        #expect(slow.queries.count == 1)
    }

    @Test("cancelling a watcher's consumer ends the iteration promptly even while a query is in flight")
    func cancelWatcher() async throws {
        let silent = try await HostileResponder.start(udp: { _ in [] })
        defer { silent.stop() }
        let config = ResolverConfig(nameservers: [try silent.address], timeout: .seconds(5), attempts: 2)
        let logger = Logger.quiet
        let watcher = EndpointWatcher(
            name: Replies.service,
            resolver: SRVResolver(resolver: DNSResolver(configuration: config, logger: logger), logger: logger),
            logger: logger)
        let consumer = Task { for await _ in watcher {} }
        try await Task.sleep(for: .milliseconds(100))
        let cancelled = ContinuousClock.now
        consumer.cancel()
        await consumer.value
        #expect(ContinuousClock.now - cancelled < .seconds(2))
    }
}

@Suite("EDNS fallback", .timeLimit(.minutes(1)))
struct EDNSFallbackTests {
    @Test("a server answering FORMERR without OPT to an EDNS query is asked again without EDNS (RFC 6891 §7)")
    func formerrFallback() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            if query.message.edns != nil {
                var header = Header(id: query.id, isResponse: true)
                header.rcode = .formatError
                let formerr = Message(header: header, questions: [query.question], answers: [], authorities: [], additionals: [], edns: nil)
                return [.init(bytes: (try? formerr.encode()) ?? [])]
            }
            return [.init(bytes: Replies.taskAnswer(to: query, [1]))]
        })
        defer { responder.stop() }
        let config = ResolverConfig(nameservers: [try responder.address], timeout: .seconds(2), attempts: 1)
        let dns = DNSResolver(configuration: config, logger: Logger.quiet)
        #expect(try await dns.lookup(Replies.name(Replies.service), type: .srv).records.count == 1)
        #expect(responder.queries.map { $0.message.edns != nil } == [true, false])
    }
}

@Suite("Large UDP answers", .timeLimit(.minutes(1)))
struct LargeUDPAnswerTests {
    @Test("a 4096-octet EDNS payload is advertised and an answer above NIO's 2048-byte default read arrives whole over UDP")
    func largeDatagram() async throws {
        let responder = try await HostileResponder.start(udp: { query in
            [.init(bytes: Replies.taskAnswer(to: query, Array(1...60)))]
        })
        defer { responder.stop() }
        let config = ResolverConfig(nameservers: [try responder.address], timeout: .seconds(2), attempts: 1, ednsPayloadSize: 4096)
        let dns = DNSResolver(configuration: config, logger: .quiet)
        let answer = try await SRVResolver(resolver: dns, logger: .quiet).resolveSRV(Replies.service)
        #expect(answer.endpoints.count == 60)
        #expect(responder.queries.first?.message.edns?.udpPayloadSize == 4096)
        #expect(Replies.taskAnswer(to: try #require(responder.queries.first), Array(1...60)).count > 2048)
        #expect(dns.counters.snapshot().tcpRetries == 0)
    }
}
