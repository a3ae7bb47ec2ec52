import NIOConcurrencyHelpers
import Prometheus

/// Renders `/metrics`: the Prometheus text exposition format (version 0.0.4) of the proxy.
///
/// The request path never touches this type. Each event loop counts into its own
/// ``LoopMetrics`` (plain integers); a scrape folds every loop's snapshot and the other state
/// (balancer health, DNS counters, certificates) into swift-prometheus collectors in one
/// ``PrometheusCollectorRegistry`` — counters are set to the folded totals (`reset` then
/// `increment`), gauges to their current values — and emits the registry. The registry is
/// also the swift-metrics backend (`RunCommand` bootstraps `PrometheusMetricsFactory` with
/// it), so anything recorded through swift-metrics appears here too.
///
/// The request duration histogram is the exception: its buckets are counted per loop, and
/// swift-prometheus histograms can only be fed one observation at a time (under a lock, on
/// the hot path), so it is written here from the folded buckets, in the same format.
final class MetricsExposition: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Serialises scrapes: folding sets collectors, which must not interleave.
    private let scrapeLock = NIOLock()
    /// Certificate gauges by series, to unregister the ones a reload replaced.
    private let certificateGauges = NIOLockedValueBox<[String: Gauge]>([:])

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// The states `proxyd_endpoints{state}` always reports, 0 included (stable series).
    static let endpointStates = ["up", "down", "ejected", "draining", "drained"]

    func render(requests: LoopMetrics.Snapshot, backendNames: [String], status: ProxyStatus, dns: [(resolver: String, statistics: ProxyStatus.DNS)],
                accessLog: (written: Int, dropped: Int, writeErrors: Int)?) -> String {
        scrapeLock.withLock {
            fold(requests: requests, backendNames: backendNames, status: status, dns: dns, accessLog: accessLog)
            var text = registry.emitToString()
            appendDurationHistogram(requests, backendNames: backendNames, into: &text)
            return text
        }
    }

    private func descriptor(_ name: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "proxyd", metricName: name, unitName: unit, helpText: help)
    }

    private func setCounter(_ name: String, unit: String = "total", _ help: String, labels: [(String, String)] = [], to value: Int) {
        let counter = registry.makeCounter(descriptor: descriptor(name, unit: unit, help), labels: labels)
        counter.reset()
        counter.increment(by: Int64(value))
    }

    private func setGauge(_ name: String, unit: String = "", _ help: String, labels: [(String, String)] = [], to value: Double) {
        registry.makeGauge(descriptor: descriptor(name, unit: unit, help), labels: labels).set(value)
    }

    private func fold(requests: LoopMetrics.Snapshot, backendNames: [String], status: ProxyStatus, dns: [(resolver: String, statistics: ProxyStatus.DNS)],
                      accessLog: (written: Int, dropped: Int, writeErrors: Int)?) {
        for (index, name) in backendNames.enumerated() where index < requests.requests.count {
            let backend = index == 0 ? "none" : name
            for (slot, count) in requests.requests[index].enumerated() where count > 0 {
                let code = slot == 0 ? "other" : String(slot + LoopMetrics.statusRange.lowerBound)
                setCounter("requests", "Requests answered, by backend (none: answered by the proxy itself) and status code.",
                           labels: [("backend", backend), ("code", code)], to: count)
            }
            setCounter("retries", "Extra connection attempts made for requests (another endpoint after a failure).",
                       labels: [("backend", backend)], to: requests.retries[index])
            setCounter("response_bytes", "Response bytes sent to clients, heads included.",
                       labels: [("backend", backend)], to: requests.responseBytes[index])
        }
        setCounter("requests_aborted", "Exchanges that ended without a response status (client or backend closed first).", to: requests.clientAborts)
        setCounter("connections", "Client connections accepted.", to: requests.connectionsAccepted)
        setGauge("open_connections", "Client connections open now.", to: Double(requests.openConnections))

        for backend in status.backends {
            var counts: [String: Int] = [:]
            for endpoint in backend.endpoints { counts[endpoint.state, default: 0] += 1 }
            for state in Self.endpointStates {
                setGauge("endpoints", "Endpoints of each backend by state.", labels: [("backend", backend.name), ("state", state)], to: Double(counts[state] ?? 0))
            }
            let inFlight = backend.endpoints.reduce(0) { $0 + $1.inFlight }
            setGauge("in_flight_requests", "Requests picked and not yet completed, by backend.", labels: [("backend", backend.name)], to: Double(inFlight))
            if let age = backend.dns?.secondsSinceLastAnswer {
                setGauge("dns_last_answer_age", unit: "seconds", "Seconds since the backend's SRV name last got an answer.", labels: [("backend", backend.name)], to: age)
            }
        }

        for (resolver, stats) in dns {
            let labels = [("resolver", resolver)]
            setCounter("dns_queries", "DNS queries sent (each UDP or TCP exchange with one nameserver).", labels: labels, to: stats.queries)
            setCounter("dns_timeouts", "DNS query attempts that timed out.", labels: labels, to: stats.timeouts)
            setCounter("dns_truncations", "DNS answers that arrived truncated (TC), then asked over TCP.", labels: labels, to: stats.truncations)
            setCounter("dns_dropped_answers", "DNS answers dropped: wrong source, ID or question, or malformed.", labels: labels, to: stats.droppedAnswers)
        }

        var seen: Set<String> = []
        for certificate in status.certificates {
            let labels = [("listener", certificate.listener), ("subject", certificate.subject), ("serial", certificate.serialNumber)]
            let key = labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            seen.insert(key)
            let gauge = registry.makeGauge(
                descriptor: descriptor("certificate_expiry_timestamp", unit: "seconds", "notAfter of each served certificate, Unix seconds."),
                labels: labels)
            gauge.set(Double(certificate.notAfter))
            certificateGauges.withLockedValue { $0[key] = gauge }
        }
        let stale = certificateGauges.withLockedValue { gauges in
            let gone = gauges.filter { !seen.contains($0.key) }
            for key in gone.keys { gauges[key] = nil }
            return Array(gone.values)
        }
        for gauge in stale { registry.unregisterGauge(gauge) }

        if let accessLog {
            setCounter("access_log_records", "Access log records written.", to: accessLog.written)
            setCounter("access_log_dropped", "Access log records dropped because the writer could not keep up.", to: accessLog.dropped)
            setCounter("access_log_write_errors", "Access log writes that failed.", to: accessLog.writeErrors)
        }
    }

    /// `proxyd_request_duration_seconds`, from the folded per-loop buckets (see the type's doc).
    private func appendDurationHistogram(_ requests: LoopMetrics.Snapshot, backendNames: [String], into text: inout String) {
        let name = "proxyd_request_duration_seconds"
        text += "# HELP \(name) Time from a request's first byte to its response's last byte, by backend.\n"
        text += "# TYPE \(name) histogram\n"
        for (index, backendName) in backendNames.enumerated() where index < requests.durationBuckets.count {
            let backend = Self.escapeLabel(index == 0 ? "none" : backendName)
            var cumulative = 0
            for (bucket, count) in requests.durationBuckets[index].enumerated() {
                cumulative += count
                let bound = bucket < LoopMetrics.durationBounds.count ? Self.formatBound(LoopMetrics.durationBounds[bucket]) : "+Inf"
                text += "\(name)_bucket{backend=\"\(backend)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "\(name)_sum{backend=\"\(backend)\"} \(requests.durationSums[index])\n"
            text += "\(name)_count{backend=\"\(backend)\"} \(cumulative)\n"
        }
    }

    static func formatBound(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) + ".0" : String(value)
    }

    /// A label value as the text format wants it: backslash, double quote and newline escaped.
    static func escapeLabel(_ value: String) -> String {
        var result = ""
        for character in value {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }
}
