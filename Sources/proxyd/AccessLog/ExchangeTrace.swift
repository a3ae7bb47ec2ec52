import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The timings and facts of the exchange a client connection has in flight, gathered by
/// ``ProxyServerHandler`` as it goes and turned into a metrics sample and, when an access log
/// is configured, an ``AccessLogRecord`` at its end.
///
/// Instants are NIO's monotonic `NIODeadline` (one `clock_gettime` each, no allocation); the
/// wall-clock start is read once per exchange, and only when a log line will be written.
struct ExchangeTrace {
    /// Whether an exchange is being traced (from its request head to its end).
    var active = false
    /// When the first byte of the next request arrived on an idle connection.
    var firstByteAt: NIODeadline?
    var startedAt = NIODeadline.uptimeNanoseconds(0)
    var headAt = NIODeadline.uptimeNanoseconds(0)
    var connectStartedAt: NIODeadline?
    var connectedAt: NIODeadline?
    var requestSentAt: NIODeadline?
    var responseHeadAt: NIODeadline?
    var backendIndex = 0
    var backend: String?
    var endpoint: String?
    var connectAttempts = 0
    /// `S` when the backend failed, `s` when it timed out (HAProxy's termination side).
    var serverFailure: String?
    /// The final response status; -1 until one is sent.
    var status = -1
    var bytesSent = 0
    // Only filled when an access log is configured.
    var wallStartMicros: Int64 = 0
    var method = ""
    var target = ""
    var version = ""

    /// Starts an exchange whose head has just been parsed.
    mutating func begin(now: NIODeadline) {
        active = true
        startedAt = firstByteAt ?? now
        firstByteAt = nil
        headAt = now
        connectStartedAt = nil
        connectedAt = nil
        requestSentAt = nil
        responseHeadAt = nil
        backendIndex = 0
        backend = nil
        endpoint = nil
        connectAttempts = 0
        serverFailure = nil
        status = -1
        bytesSent = 0
    }

    var retries: Int { max(0, connectAttempts - 1) }

    /// HAProxy's `httplog` record of the exchange that ends at `now`.
    func record(now: NIODeadline, termination: String, client: (address: String, port: Int), listener: ListenerContext) -> AccessLogRecord {
        func millis(_ from: NIODeadline?, _ to: NIODeadline?) -> Int {
            guard let from, let to else { return -1 }
            return Int((to.uptimeNanoseconds &- from.uptimeNanoseconds) / 1_000_000)
        }
        return AccessLogRecord(
            clientAddress: client.address, clientPort: client.port,
            acceptedAtMicros: wallStartMicros,
            listener: listener.configuration.name, isTLS: listener.isTLS,
            backend: backend, endpoint: endpoint,
            requestHeadMillis: millis(startedAt, headAt),
            queueMillis: connectStartedAt == nil ? -1 : 0,
            connectMillis: millis(connectStartedAt, connectedAt),
            responseMillis: millis(requestSentAt, responseHeadAt),
            totalMillis: millis(startedAt, now),
            status: status, bytesSent: bytesSent,
            terminationState: termination + "--",
            retries: retries,
            method: method, target: target, version: version
        )
    }

    /// Microseconds since the Unix epoch, for the log line's date.
    static func wallClockMicros() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }
}
