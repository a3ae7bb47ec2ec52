import NIOCore
import NIOPosix

/// One kind of probe, run against one endpoint at a time on an event loop: a TCP connect, or
/// an HTTP request whose response status must be in the expected range.
///
/// Everything is bounded by `timeout`, from the start of the connect to the response head;
/// nothing blocks a thread. Every probe opens its own connection and closes it as soon as
/// the verdict is known (health checks must not ride on, or be hidden by, pooled
/// connections — a pooled socket can be alive while the endpoint refuses new ones).
struct HealthProbe: Sendable {
    enum Kind: Sendable, Hashable, CustomStringConvertible {
        case tcp
        case http(HealthCheckRequest, expectedStatus: ClosedRange<Int>)

        var description: String {
            switch self {
            case .tcp: "tcp connect"
            case .http(let request, let expected): "http \(request.method) \(request.path) expecting \(expected.lowerBound)-\(expected.upperBound)"
            }
        }
    }

    let kind: Kind
    let timeout: Duration

    init(kind: Kind, timeout: Duration) {
        self.kind = kind
        self.timeout = timeout
    }

    /// The probe a backend's `health_check` configures.
    init(configuration: HealthCheckConfiguration) {
        switch configuration.kind {
        case .tcp:
            self.init(kind: .tcp, timeout: configuration.timeout)
        case .http(let method, let path, let host, let expectedStatus):
            self.init(kind: .http(HealthCheckRequest(method: method, path: path, host: host), expectedStatus: expectedStatus),
                      timeout: configuration.timeout)
        }
    }

    /// Probes `address:port` on `eventLoop`. The future always succeeds, with the verdict.
    func run(address: String, port: Int, on eventLoop: any EventLoop) -> EventLoopFuture<ProbeResult> {
        let completion = ProbeCompletion(promise: eventLoop.makePromise(of: ProbeResult.self), timeout: timeout)
        let timeout = self.timeout
        let limit = TimeAmount.nanoseconds(timeout.nanosecondsClamped)
        // If the loop shuts down first, the scheduled task fails instead of running: the probe
        // then ends as a connection failure rather than leaving its promise unfulfilled.
        let deadline = eventLoop.scheduleTask(in: limit) { completion.complete(.failed(.timeout(timeout))) }
        deadline.futureResult.whenFailure { error in
            completion.complete(.failed(.connectionFailed(reason: "\(error)")))
        }

        let kind = self.kind
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(limit)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard case .http(let request, let expected) = kind else { return }
                    try channel.pipeline.syncOperations.addHandler(HealthProbeHandler(
                        request: request.bytes(address: address, port: port),
                        reader: HealthProbeResponseReader(expectedStatus: expected),
                        completion: completion
                    ))
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let literal = try? SocketAddress(ipAddress: address, port: port) {
            connected = bootstrap.connect(to: literal)
        } else {
            connected = bootstrap.connect(host: address, port: port)
        }
        connected.whenComplete { outcome in
            switch outcome {
            case .success(let channel):
                if case .tcp = kind { completion.complete(.passed(status: nil)) }
                // Closed once the verdict is known: at once for TCP, after the head (or the
                // timeout) for HTTP.
                completion.futureResult.whenComplete { _ in channel.close(promise: nil) }
            case .failure(let error):
                completion.complete(.failed(ProbeFailure(connectError: error, timeout: timeout)))
            }
        }
        completion.futureResult.whenComplete { _ in deadline.cancel() }
        return completion.futureResult
    }
}
