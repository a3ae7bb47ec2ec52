/// The per-corpus counts of ``ProxySmugglingConformanceTests`` and its failures.
struct ConformanceReport {
    struct Counts: CustomStringConvertible {
        var cases = 0, rejected = 0, closedSilently = 0, forwarded = 0, requestsForwarded = 0, bodyCutShort = 0, noAnswer = 0, failed = 0
        var description: String { "cases \(cases), rejected \(rejected), forwarded \(forwarded), failed \(failed)" }
    }
    struct Failure {
        var corpus: String, label: String, reason: String
    }

    var order: [String] = []
    var counts: [String: Counts] = [:]
    var statuses: [String: [Int: Int]] = [:]
    var total = Counts()
    var failures: [Failure] = []
    var globalFailures: [String] = []
    /// Cases that ended without a status: closed silently, or still waiting at proxyd's timeout.
    var silent: [(corpus: String, label: String, closed: Bool)] = []
    var emptyBackendConnections = 0
    var sampled = false
    var cutShort: [(corpus: String, label: String)] = []

    mutating func add(_ testCase: SmugglingCase, _ verdict: ProxySmugglingConformanceTests.Verdict) {
        if counts[testCase.corpus] == nil { order.append(testCase.corpus) }
        var c = counts[testCase.corpus] ?? Counts()
        c.cases += 1
        switch verdict {
        case .rejected(let status):
            c.rejected += 1
            if let status {
                statuses[testCase.corpus, default: [:]][status, default: 0] += 1
            } else {
                c.closedSilently += 1
                silent.append((testCase.corpus, testCase.label, true))
            }
        case .forwarded(let requests):
            c.forwarded += 1
            c.requestsForwarded += requests
        case .bodyCutShort:
            c.bodyCutShort += 1
            cutShort.append((testCase.corpus, testCase.label))
        case .noAnswer:
            c.noAnswer += 1
            silent.append((testCase.corpus, testCase.label, false))
        case .fail(let reason):
            c.failed += 1
            failures.append(Failure(corpus: testCase.corpus, label: testCase.label, reason: reason))
        }
        counts[testCase.corpus] = c
        total.cases += 1
        switch verdict {
        case .rejected(let status): total.rejected += 1; if status == nil { total.closedSilently += 1 }
        case .forwarded(let requests): total.forwarded += 1; total.requestsForwarded += requests
        case .bodyCutShort: total.bodyCutShort += 1
        case .noAnswer: total.noAnswer += 1
        case .fail: total.failed += 1
        }
    }

    func markdown() -> String {
        var lines = [
            "| corpus | cases | rejected (of which closed without a response) | forwarded clean (requests) | head forwarded, body never finished | no answer before proxyd's timeout | FAIL |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        func row(_ name: String, _ c: Counts) -> String {
            "| \(name) | \(c.cases) | \(c.rejected) (\(c.closedSilently)) | \(c.forwarded) (\(c.requestsForwarded)) | \(c.bodyCutShort) | \(c.noAnswer) | \(c.failed) |"
        }
        for name in order { lines.append(row(name, counts[name] ?? Counts())) }
        lines.append(row("**total**", total))
        lines.append("")
        if sampled { lines.append("(defparam/smuggler sampled: one probe per mutation; PROXYD_CONFORMANCE_FULL=1 sends all.)\n") }
        lines.append("Rejection statuses: " + order.map { name in
            let s = (statuses[name] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            return "\(name) \(s.isEmpty ? "—" : s)"
        }.joined(separator: "; "))
        lines.append("")
        lines.append("Backend connections proxyd opened and closed without sending a byte (the client's bytes failed to parse meanwhile): \(emptyBackendConnections).")
        if !silent.isEmpty {
            lines.append("")
            lines.append("Cases without a status line (closed by proxyd without a response / no answer before proxyd's timeout):")
            for s in silent { lines.append("- \(s.corpus) `\(s.label)`: \(s.closed ? "closed without a response" : "no answer before the timeout")") }
        }
        if !cutShort.isEmpty {
            lines.append("")
            lines.append("Heads forwarded whose body never finished: " + cutShort.map { "\($0.corpus) `\($0.label)`" }.joined(separator: ", ") + ".")
        }
        if !failures.isEmpty || !globalFailures.isEmpty {
            lines.append("")
            lines.append("Failures:")
            for f in failures { lines.append("- \(f.corpus) `\(f.label)`: \(f.reason)") }
            for g in globalFailures { lines.append("- \(g)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
