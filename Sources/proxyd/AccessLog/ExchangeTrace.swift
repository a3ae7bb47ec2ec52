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
///
/// What only a log line needs lives in ``details``, an object made once per connection and
/// only when an access log is configured: every connection handler carries the trace, and
/// idle connections are most of a proxy's connections, so the common case (metrics only)
/// keeps it small.
struct ExchangeTrace {
    /// Whether an exchange is being traced (from its request head to its end).
    var active = false
    /// Whether any exchange began on this connection; one that closes without any is what
    /// HAProxy's `option dontlognull` keeps out of the log.
    private(set) var begun = false
    /// When the first byte of the next request arrived on an idle connection.
    var firstByteAt: NIODeadline?
    var startedAt = NIODeadline.uptimeNanoseconds(0)
    var backendIndex = 0
    var endpoint: String?
    var connectAttempts = 0
    /// The final response status; -1 until one is sent.
    var status = -1
    var bytesSent = 0
    /// Request body bytes received from the client (the endpoint's `bin`).
    var bytesReceived = 0
    /// Connect attempts that went to another endpoint than the one before (`wredis`).
    var redispatches = 0
    /// The facts of the access log line; nil without an access log.
    let details: ExchangeDetails?

    init(logging: Bool) {
        details = logging ? ExchangeDetails() : nil
    }

    /// Starts an exchange whose head has just been parsed.
    mutating func begin(now: NIODeadline) {
        active = true
        begun = true
        startedAt = firstByteAt ?? now
        firstByteAt = nil
        backendIndex = 0
        endpoint = nil
        connectAttempts = 0
        status = -1
        bytesSent = 0
        bytesReceived = 0
        redispatches = 0
        details?.begin(now: now)
    }

    var retries: Int { max(0, connectAttempts - 1) }

    /// HAProxy's `httplog` record of the exchange that ends at `now`; nil without an access log.
    func record(now: NIODeadline, termination: String, client: (address: String, port: Int), listener: ListenerContext) -> AccessLogRecord? {
        guard let details else { return nil }
        func millis(_ from: NIODeadline?, _ to: NIODeadline?) -> Int {
            guard let from, let to else { return -1 }
            return Int((to.uptimeNanoseconds &- from.uptimeNanoseconds) / 1_000_000)
        }
        return AccessLogRecord(
            clientAddress: client.address, clientPort: client.port,
            acceptedAtMicros: details.wallStartMicros,
            listener: listener.configuration.name, isTLS: listener.isTLS,
            backend: details.backend, endpoint: endpoint,
            requestHeadMillis: millis(startedAt, details.headAt),
            queueMillis: details.connectStartedAt == nil ? -1 : 0,
            connectMillis: millis(details.connectStartedAt, details.connectedAt),
            responseMillis: millis(details.requestSentAt, details.responseHeadAt),
            totalMillis: millis(startedAt, now),
            status: status, bytesSent: bytesSent,
            terminationState: termination + "--",
            retries: retries,
            method: details.method, target: details.target, version: details.version
        )
    }

    /// The line HAProxy writes (without `option dontlognull`) for a connection closed before
    /// it sent anything: `fe fe/<NOSRV> -1/-1/-1/-1/0 400 0 - - CR-- … "<BADREQ>"` (no backend
    /// was chosen, so HAProxy names the frontend in its place).
    static func nullConnectionRecord(client: (address: String, port: Int), listener: ListenerContext) -> AccessLogRecord {
        AccessLogRecord(
            clientAddress: client.address, clientPort: client.port, acceptedAtMicros: wallClockMicros(),
            listener: listener.configuration.name, isTLS: listener.isTLS, backend: listener.configuration.name, endpoint: nil,
            requestHeadMillis: -1, queueMillis: -1, connectMillis: -1, responseMillis: -1, totalMillis: 0,
            status: 400, bytesSent: 0, terminationState: "CR--", retries: 0,
            method: "<BADREQ>", target: "", version: "")
    }

    /// Microseconds since the Unix epoch, for the log line's date.
    static func wallClockMicros() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000
    }
}

/// The per-phase instants and request facts of one exchange that only an access log line
/// uses. One per connection, reused by each exchange; confined to the connection's event loop
/// like the handler that owns it.
final class ExchangeDetails {
    var headAt = NIODeadline.uptimeNanoseconds(0)
    var connectStartedAt: NIODeadline?
    var connectedAt: NIODeadline?
    var requestSentAt: NIODeadline?
    var responseHeadAt: NIODeadline?
    var backend: String?
    /// `S` when the backend failed, `s` when it timed out (HAProxy's termination side).
    var serverFailure: String?
    var wallStartMicros: Int64 = 0
    var method = ""
    var target = ""
    var version = ""

    func begin(now: NIODeadline) {
        headAt = now
        connectStartedAt = nil
        connectedAt = nil
        requestSentAt = nil
        responseHeadAt = nil
        backend = nil
        serverFailure = nil
    }
}
