/// The life of one client connection's request/response exchanges, as a value type whose
/// methods return what the channel handler must do. No I/O happens here, so every rule below
/// is tested without sockets.
///
/// Rules it keeps (they are what "zero failed requests while tasks come and go" rests on):
/// - One exchange at a time. Pipelined requests wait (the handler holds their parts) and are
///   answered in order (RFC 9112 §9.3.2).
/// - A request is retried on another endpoint when nothing reached the backend: the
///   connection attempt failed. An idempotent request without a body (RFC 9110 §9.2.2) is
///   also retried when its connection broke before any response byte arrived: first once on
///   a fresh connection to the same backend if the broken one was a reused keep-alive
///   connection (the backend may have closed it just as the request was written), then on
///   other endpoints within the retry budget (the task was killed). Anything else becomes a
///   502/504, never a silent drop.
/// - A proxy-generated response (redirect, 4xx from the parser, 502/503/504) is only possible
///   before any response byte went to the client. After the response started, a backend
///   failure can only close the client connection.
/// - A backend connection goes back to the pool only when both messages completed and both
///   sides agreed to keep it alive; otherwise it is closed.
/// - The client connection is kept alive only when the request and the response allow it and
///   the request body was fully read (an unread body would be parsed as the next request).
/// - A client that shuts its write side (TCP FIN, e.g. `printf 'GET …' | nc`) still gets an
///   answer to every request it completed before the FIN, pipelined ones in order (RFC 9112
///   §9.6 allows half-closed connections; HAProxy answers them); the connection closes once the
///   last of those responses is written. Input that ends inside a request is HAProxy 2.6's
///   case too: a head cut short is answered 400; a body cut short (the request went to a
///   backend already) closes both connections without an answer.
struct ExchangeStateMachine {
    /// What the handler must do next.
    enum Action: Equatable {
        case none
        /// Pick an endpoint of `backend` (avoiding `excluding`) and connect — with a new
        /// connection when `fresh`, otherwise preferring an idle pooled one; answer with
        /// `backendConnected` or `backendConnectFailed`.
        case connect(backend: String, excluding: Set<String>, fresh: Bool)
        /// Write the (edited) request head to the backend connection, then any held body parts.
        case sendRequestHead
        case sendRequestBody
        case sendRequestEnd
        case forwardResponseHead
        case forwardResponseBody
        /// The response is complete: flush it, then release the backend (`reusable` or close),
        /// then keep the client alive (resume with the next request) or close it.
        case finishExchange(backendReusable: Bool, keepClientAlive: Bool)
        /// Answer the client with a response of the proxy's own; close afterwards unless
        /// `keepClientAlive`. `releaseBackend` says what to do with an attached backend.
        case respond(status: Int, keepClientAlive: Bool, releaseBackend: BackendRelease)
        /// Close the client connection now (response already started, or client gone);
        /// close any attached backend connection too.
        case abort(closeBackend: Bool)
        /// Stop reading from the client until the current exchange completes.
        case pauseClientReads
        /// The backend switched protocols (101, RFC 9110 §15.2.2): forward the response head,
        /// then relay raw bytes both ways until either side closes.
        case startTunnel
        /// No request remains to be answered and the client's input ended: close the client
        /// connection once everything written to it has been sent.
        case closeWhenWritten
    }

    /// What happens to a backend connection when the proxy answers on its own.
    enum BackendRelease: Equatable {
        case none
        case close
    }

    /// What the request looks like, as far as forwarding decisions go.
    struct RequestInfo: Equatable {
        var isIdempotent: Bool
        var hasBody: Bool
        var keepAlive: Bool
    }

    private enum State: Equatable {
        /// Waiting for a request head (keep-alive idle, or a new connection).
        case idle
        /// The head is routed to a backend; connecting.
        case connecting(Exchange)
        /// Request (and perhaps response) bytes are flowing.
        case forwarding(Exchange)
        /// Writing a response of the proxy's own.
        case answering(keepAlive: Bool)
        /// Relaying raw bytes after a protocol switch.
        case tunnel
        case closed
    }

    private struct Exchange: Equatable {
        var backend: String
        var request: RequestInfo
        var requestComplete = false
        var responseStarted = false
        var responseKeepAlive = true
        var attempts = 0
        /// How many additional endpoints the request may try after a failed connection.
        var maxRetries: Int
        var reusedConnection = false
        /// Whether the one retry on a fresh connection after a reused one failed is spent.
        var retriedAfterStaleConnection = false
        var triedEndpoints: Set<String> = []
        /// Whether the last failed connection attempt timed out (504 rather than 502).
        var lastConnectTimedOut = false
        var endpoint: String?
    }

    private var state: State = .idle
    /// The client shut its write side: no request follows the ones already received.
    private var clientInputEnded = false

    init() {}

    var isIdle: Bool { state == .idle }
    /// Relaying raw bytes after a protocol switch.
    var isTunnel: Bool { state == .tunnel }
    var isClosed: Bool { state == .closed }

    // MARK: Client side

    /// A request head arrived and the router chose to forward it to `backend`, which allows
    /// `maxRetries` further endpoints after a failed connection.
    mutating func requestHead(_ request: RequestInfo, forwardTo backend: String, maxRetries: Int) -> Action {
        guard case .idle = state else { return .pauseClientReads }
        var exchange = Exchange(backend: backend, request: request, maxRetries: maxRetries)
        exchange.requestComplete = false
        exchange.attempts = 1
        state = .connecting(exchange)
        return .connect(backend: backend, excluding: [], fresh: false)
    }

    /// A request head arrived that the proxy answers itself (redirect, 503 without backend,
    /// parser error). `keepAlive`: the request allows it and its body (if any) was read.
    mutating func answerLocally(status: Int, keepAlive: Bool) -> Action {
        switch state {
        case .idle:
            state = .answering(keepAlive: keepAlive)
            return .respond(status: status, keepClientAlive: keepAlive, releaseBackend: .none)
        case .connecting(let exchange), .forwarding(let exchange):
            // A parse error in a request body while forwarding.
            guard !exchange.responseStarted else {
                state = .closed
                return .abort(closeBackend: true)
            }
            state = .answering(keepAlive: false)
            return .respond(status: status, keepClientAlive: false, releaseBackend: exchange.endpoint == nil ? .none : .close)
        case .answering, .tunnel, .closed:
            state = .closed
            return .abort(closeBackend: true)
        }
    }

    /// Part of the request body arrived. Held by the handler while connecting.
    mutating func requestBody() -> Action {
        switch state {
        case .forwarding: return .sendRequestBody
        default: return .none
        }
    }

    /// The request is complete (its end, or the head of a bodiless request).
    mutating func requestEnd() -> Action {
        switch state {
        case .connecting(var exchange):
            exchange.requestComplete = true
            state = .connecting(exchange)
            return .pauseClientReads
        case .forwarding(var exchange):
            exchange.requestComplete = true
            state = .forwarding(exchange)
            return .sendRequestEnd
        default:
            return .none
        }
    }

    /// The client closed or failed.
    mutating func clientClosed() -> Action {
        switch state {
        case .closed: return .none
        case .idle, .answering:
            state = .closed
            return .abort(closeBackend: false)
        case .connecting, .forwarding, .tunnel:
            state = .closed
            return .abort(closeBackend: true)
        }
    }

    /// The client shut its write side (a TCP FIN; the connection can still carry responses).
    /// Requests completed before it are still answered; an idle connection closes.
    mutating func clientInputClosed() -> Action {
        clientInputEnded = true
        switch state {
        case .idle:
            state = .closed
            return .closeWhenWritten
        case .connecting(let exchange), .forwarding(let exchange):
            // A request cut short is reported by the codec first (`requestCutShort()`).
            return exchange.requestComplete ? .none : requestCutShort()
        case .answering, .closed:
            return .none
        case .tunnel:
            state = .closed
            return .abort(closeBackend: true)
        }
    }

    /// The client's input ended inside a request (the codec's `incompleteMessage`). As HAProxy
    /// 2.6 does: a head cut short is answered 400 and the connection closed; a body cut short
    /// closes both connections without an answer (its head already went to a backend).
    mutating func requestCutShort() -> Action {
        clientInputEnded = true
        switch state {
        case .idle:
            return answerLocally(status: 400, keepAlive: false)
        case .connecting(let exchange), .forwarding(let exchange):
            guard !exchange.requestComplete else { return .none }
            state = .closed
            return .abort(closeBackend: true)
        case .answering:
            state = .answering(keepAlive: false)
            return .none
        case .tunnel, .closed:
            state = .closed
            return .abort(closeBackend: true)
        }
    }

    /// The handler has no further request to start (it replayed every queued part): after the
    /// client's input ended, that is the end of the connection.
    mutating func awaitingRequest() -> Action {
        guard case .idle = state, clientInputEnded else { return .none }
        state = .closed
        return .closeWhenWritten
    }

    /// The proxy finished writing its own response.
    mutating func localResponseSent() -> Action {
        guard case .answering(let keepAlive) = state else { return .none }
        state = keepAlive ? .idle : .closed
        return keepAlive ? .none : .abort(closeBackend: false)
    }

    // MARK: Backend side

    /// Connected to `endpoint`; `reused` when the pool gave a kept-alive connection.
    mutating func backendConnected(endpoint: String, reused: Bool) -> Action {
        guard case .connecting(var exchange) = state else { return .none }
        exchange.endpoint = endpoint
        exchange.reusedConnection = reused
        exchange.triedEndpoints.insert(endpoint)
        state = .forwarding(exchange)
        return .sendRequestHead
    }

    /// No connection could be made (refused, timed out, or no endpoint to pick).
    /// `endpoint` is the one tried, nil when there was none (left) to pick: 503 when nothing
    /// was ever available, otherwise the last attempt's failure (502, or 504 on a timeout).
    mutating func backendConnectFailed(endpoint: String?, timedOut: Bool) -> Action {
        guard case .connecting(var exchange) = state else { return .none }
        if let endpoint {
            exchange.lastConnectTimedOut = timedOut
            exchange.triedEndpoints.insert(endpoint)
            if exchange.attempts <= exchange.maxRetries {
                exchange.attempts += 1
                state = .connecting(exchange)
                return .connect(backend: exchange.backend, excluding: exchange.triedEndpoints, fresh: false)
            }
        }
        let keepAlive = exchange.request.keepAlive && exchange.requestComplete
        state = .answering(keepAlive: keepAlive)
        let status = exchange.triedEndpoints.isEmpty ? 503 : (exchange.lastConnectTimedOut ? 504 : 502)
        return .respond(status: status, keepClientAlive: keepAlive, releaseBackend: .none)
    }

    /// The response head arrived; `keepAlive` is the backend's own decision.
    mutating func responseHead(status: Int, keepAlive: Bool) -> Action {
        guard case .forwarding(var exchange) = state else { return .none }
        if status == 101 {
            state = .tunnel
            return .startTunnel
        }
        if status < 200 { return .forwardResponseHead }  // 100 Continue, 103 Early Hints: not final
        exchange.responseStarted = true
        exchange.responseKeepAlive = keepAlive
        state = .forwarding(exchange)
        return .forwardResponseHead
    }

    mutating func responseBody() -> Action {
        guard case .forwarding = state else { return .none }
        return .forwardResponseBody
    }

    /// The response is complete.
    mutating func responseEnd() -> Action {
        guard case .forwarding(let exchange) = state else { return .none }
        // A response that ends before its request was fully sent (e.g. 413 from the backend):
        // the rest of the body is unread, so neither connection can carry another message.
        let complete = exchange.requestComplete
        let backendReusable = complete && exchange.responseKeepAlive
        let keepClient = complete && exchange.responseKeepAlive && exchange.request.keepAlive
        state = keepClient ? .idle : .closed
        return .finishExchange(backendReusable: backendReusable, keepClientAlive: keepClient)
    }

    /// The backend connection closed or failed before the response completed.
    mutating func backendFailed(timedOut: Bool) -> Action {
        guard case .forwarding(var exchange) = state else { return .none }
        if exchange.responseStarted {
            state = .closed
            return .abort(closeBackend: true)
        }
        if exchange.request.isIdempotent && !exchange.request.hasBody && !timedOut {
            if exchange.reusedConnection && !exchange.retriedAfterStaleConnection {
                exchange.retriedAfterStaleConnection = true
                exchange.reusedConnection = false
                exchange.endpoint = nil
                state = .connecting(exchange)
                return .connect(backend: exchange.backend, excluding: [], fresh: true)
            }
            if exchange.attempts <= exchange.maxRetries {
                exchange.attempts += 1
                exchange.reusedConnection = false
                exchange.endpoint = nil
                state = .connecting(exchange)
                return .connect(backend: exchange.backend, excluding: exchange.triedEndpoints, fresh: false)
            }
        }
        let keepAlive = exchange.request.keepAlive && exchange.requestComplete
        state = .answering(keepAlive: keepAlive)
        return .respond(status: timedOut ? 504 : 502, keepClientAlive: keepAlive, releaseBackend: .close)
    }
}
