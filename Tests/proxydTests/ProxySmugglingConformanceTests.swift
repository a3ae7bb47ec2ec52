import Foundation
import PeerHarness
import NIOConcurrencyHelpers
import Testing
import TestCorpora

/// Request smuggling and conformance through the running proxy: every request case of the
/// shared HTTP corpora (llhttp, http11probe, defparam/smuggler, PortSwigger, HTTP Garden,
/// picohttpparser, httparse) is sent byte for byte to a real `proxyd run`, with
/// ``CapturingBackend`` behind it reading what arrives with its own strict reader.
///
/// Each case must end one of these ways, or the test fails with the reason:
/// - **rejected**: nothing reached the backend; proxyd answered 4xx/5xx itself, or closed;
/// - **forwarded**: the backend read N requests, each strict and normalised (no CL+TE, one
///   Content-Length, no obs-fold, no bare CR/LF, no NUL/CTL, plain hex chunk sizes, no chunk
///   extensions), each the same method, target and body as the strict reading of what the
///   client sent, and N ≤ the responses the client received;
/// - a request head was forwarded whose body the client never finished (proxyd closed both
///   sides at its client timeout), or nothing happened before proxyd's timeouts closed an
///   incomplete request — both safe, both counted.
///
/// `PROXYD_CONFORMANCE_REPORT=path` writes the per-corpus table (and every case that failed)
/// as Markdown; `scripts/conformance` runs this suite and prints it (see SECURITY.md).
/// `PROXYD_CONFORMANCE_BINARY=path` judges another proxyd build instead of this one.
/// `swift test` sends every case of every corpus but defparam/smuggler, of which it sends one
/// probe per mutation (about 3,000 of 11,988, so the suite stays light on a shared machine);
/// `PROXYD_CONFORMANCE_FULL=1` (what `scripts/conformance` sets) sends them all.
@Suite("Request smuggling and conformance through proxyd", .serialized, .needsSharedCorpora)
struct ProxySmugglingConformanceTests {
    enum Verdict: Equatable {
        case rejected(status: Int?)
        case forwarded(requests: Int)
        case bodyCutShort
        case noAnswer
        case fail(String)
    }

    @Test("every corpus request case is rejected or forwarded as exactly the requests it unambiguously contains")
    func corpora() async throws {
        let full = ProcessInfo.processInfo.environment["PROXYD_CONFORMANCE_FULL"] == "1"
        let cases = try SmugglingCorpus.load(smugglerSample: !full)
        #expect(cases.count > (full ? 12_000 : 3_000))
        let backend = try CapturingBackend()
        defer { backend.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        try await fixture.startProxy(yaml: """
            backends:
              capture:
                servers: ["127.0.0.1:\(backend.port)"]
                pool: { max_idle_per_endpoint: 0 }
                outlier_detection: { consecutive_failures: 0 }
            listeners:
              - name: web
                bind: LISTEN
                rules:
                  - set_header: { name: X-Harness-Case, value: "%[src]" }
                backend: capture
            timeouts: { connect: 2s, server: 5s, client: 1s, request_head: 1s, keep_alive: 300ms }
            """, binary: ProcessInfo.processInfo.environment["PROXYD_CONFORMANCE_BINARY"].map { URL(fileURLWithPath: $0) } ?? TestPaths.proxydBinary)
        let port = Int(fixture.address.split(separator: ":").last ?? "") ?? 0

        // Many cases at once: most end at once (a 400 and close), the rest wait for proxyd's
        // short keep-alive or client timeouts, so the run is bounded by those, not by work.
        let exchanges = NIOLockedValueBox([RawCaseClient.Exchange?](repeating: nil, count: cases.count))
        let next = NIOLockedValueBox(0)
        let workers = 32
        let done = DispatchGroup()
        for _ in 0..<workers {
            done.enter()
            let thread = Thread {
                while true {
                    let index = next.withLockedValue { n -> Int in
                        defer { n += 1 }
                        return n
                    }
                    guard index < cases.count else { break }
                    let exchange = RawCaseClient.run(cases[index].bytes, from: Self.source(index), to: port, timeout: .seconds(15))
                    exchanges.withLockedValue { $0[index] = exchange }
                }
                done.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        await runBlocking { done.wait() }
        await runBlocking { backend.waitUntilIdle(timeout: .seconds(15)) }

        // Attribute every backend request to its case.
        var requestsByCase: [String: [(sequence: Int, request: StrictHTTPReader.Request)]] = [:]
        var failuresByCase: [String: [String]] = [:]
        var truncatedCases = Set<String>()
        var unattributed: [String] = []
        var emptyConnections = 0
        for capture in backend.captures {
            // proxyd connected for a request, then its client's bytes failed to parse before
            // the head was sent: nothing was forwarded.
            if capture.bytes.isEmpty {
                emptyConnections += 1
                continue
            }
            guard let tag = capture.requests.first(where: { $0.tag != nil })?.tag ?? CapturingBackend.tag(in: capture.bytes) else {
                unattributed.append("backend connection without X-Harness-Case: \(capture.problem ?? "untagged request") — \(Self.excerpt(capture.bytes))")
                continue
            }
            for entry in capture.requests {
                if entry.tag == tag {
                    requestsByCase[tag, default: []].append((entry.sequence, entry.request))
                } else {
                    failuresByCase[tag, default: []].append("a request without the proxy's tag on its backend connection (smuggled): \(entry.request.method) \(entry.request.target)")
                }
            }
            if let problem = capture.problem {
                failuresByCase[tag, default: []].append("backend read a non-normalised request: \(problem) — \(Self.excerpt(capture.bytes))")
            }
            if capture.truncatedTag != nil { truncatedCases.insert(tag) }
        }

        var report = ConformanceReport()
        report.sampled = !full
        for (index, testCase) in cases.enumerated() {
            let tag = Self.source(index)
            let exchange = exchanges.withLockedValue { $0[index] } ?? RawCaseClient.Exchange()
            let verdict = Self.verdict(
                for: testCase, exchange: exchange,
                forwarded: (requestsByCase[tag] ?? []).sorted { $0.sequence < $1.sequence }.map(\.request),
                backendFailures: failuresByCase[tag] ?? [], truncated: truncatedCases.contains(tag))
            report.add(testCase, verdict)
        }
        for problem in unattributed { report.globalFailures.append(problem) }
        report.emptyBackendConnections = emptyConnections

        if let path = ProcessInfo.processInfo.environment["PROXYD_CONFORMANCE_REPORT"] {
            try report.markdown().write(toFile: path, atomically: true, encoding: .utf8)
        }
        for failure in report.failures.prefix(40) {
            Issue.record("\(failure.corpus) \(failure.label): \(failure.reason)")
        }
        #expect(report.failures.isEmpty, "\(report.failures.count) cases failed")
        #expect(report.globalFailures.isEmpty, "\(report.globalFailures.prefix(10))")
        // The harness must actually exercise both paths.
        #expect(report.total.forwarded > 100 && report.total.rejected > 1_000, "\(report.total)")
    }

    /// Case `index` connects from its own loopback address (never 127.0.0.1, never .0/.255).
    static func source(_ index: Int) -> String {
        "127.\(1 + index / (254 * 256)).\((index / 254) % 256).\(1 + index % 254)"
    }

    static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(160), as: UTF8.self)
        return text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "\\x\(String($0.value, radix: 16))" }.joined()
    }

    /// The rules of the suite's doc comment, for one case.
    static func verdict(
        for testCase: SmugglingCase, exchange: RawCaseClient.Exchange,
        forwarded: [StrictHTTPReader.Request], backendFailures: [String], truncated: Bool
    ) -> Verdict {
        if let error = exchange.connectError { return .fail("could not connect (errno \(error))") }
        if let first = backendFailures.first { return .fail(first) }
        let (responses, garbage) = StrictHTTPReader.readResponses(exchange.received)
        if garbage { return .fail("the client received bytes that are not an HTTP response: \(excerpt(exchange.received))") }
        if forwarded.count > responses.count {
            return .fail("the backend read \(forwarded.count) requests, the client received \(responses.count) responses")
        }
        let oracle = StrictHTTPReader.readRequests(testCase.bytes, mode: .received)
        for (position, request) in forwarded.enumerated() {
            guard position < oracle.requests.count else {
                var why = "no more requests"
                if case .invalid(let reason) = oracle.rest { why = reason } else if case .incomplete = oracle.rest { why = "incomplete" }
                return .fail("forwarded request #\(position + 1) (\(request.method) \(request.target)), which the strict reading of the client's bytes does not contain: \(why)")
            }
            let sent = oracle.requests[position]
            if sent.method != request.method || sent.target != request.target {
                return .fail("forwarded \(request.method) \(request.target) for \(sent.method) \(sent.target)")
            }
            if sent.body != request.body {
                return .fail("forwarded a \(request.body.count)-byte body for a \(sent.body.count)-byte one (request #\(position + 1))")
            }
        }
        if !forwarded.isEmpty { return .forwarded(requests: forwarded.count) }
        if truncated { return .bodyCutShort }
        if let local = responses.first(where: { !$0.fromBackend }) {
            guard local.status >= 400 else { return .fail("proxyd answered \(local.status) itself without forwarding") }
            return .rejected(status: local.status)
        }
        if responses.contains(where: \.fromBackend) { return .fail("a backend response reached the client, but the backend read no request") }
        return exchange.closed ? .rejected(status: nil) : .noAnswer
    }
}
