import HTTPCore
import LoadBalance
import NIOCore
import TLSTerm

/// What a listener's connections share: routing, backends, timeouts, limits.
///
/// A class: every connection holds one reference rather than its own copy of the listener's
/// configuration and router (that copy was most of a connection handler's 930 bytes).
final class ListenerContext: Sendable {
    let configuration: ListenerConfiguration
    let router: RequestRouter
    let timeouts: TimeoutConfiguration
    let parserLimits: HTTPParserLimits
    let isTLS: Bool
    /// The configured error pages (nil when there are none: proxyd's own responses).
    let errorPages: ErrorPageTable?
    // The timeouts as NIO time amounts, converted once rather than on every request.
    let requestHeadTimeout: TimeAmount
    let keepAliveTimeout: TimeAmount
    let clientTimeout: TimeAmount
    let serverTimeout: TimeAmount
    let tunnelTimeout: TimeAmount
    let connectTimeout: TimeAmount

    init(configuration: ListenerConfiguration, router: RequestRouter, timeouts: TimeoutConfiguration, parserLimits: HTTPParserLimits,
         errorPages: ErrorPageTable? = nil) {
        self.configuration = configuration
        self.errorPages = errorPages
        self.router = router
        self.timeouts = timeouts
        self.parserLimits = parserLimits
        self.isTLS = configuration.tls != nil
        self.requestHeadTimeout = TimeAmount(timeouts.requestHead)
        self.keepAliveTimeout = TimeAmount(timeouts.keepAlive)
        self.clientTimeout = TimeAmount(timeouts.client)
        self.serverTimeout = TimeAmount(timeouts.server)
        self.tunnelTimeout = TimeAmount(timeouts.tunnel)
        self.connectTimeout = TimeAmount(timeouts.connect)
    }
}

/// The last handler of a client connection, after HTTPCore's server codec: it routes each
/// request, forwards it to an endpoint over a pooled keep-alive connection, and streams the
/// response back — performing the actions of ``ExchangeStateMachine``, which holds the rules.
///
/// Invariants this handler keeps:
/// - Exactly one exchange is in flight. Parts of pipelined requests that arrive meanwhile are
///   queued and client reads are paused; they are replayed in order when the exchange ends.
/// - Both channels of an exchange live on one event loop (the backend connection is made on
///   the client's loop), so nothing here crosses threads.
/// - Backpressure both ways: a client that cannot take more response bytes pauses reads from
///   the backend; a backend that cannot take more request bytes pauses reads from the client.
/// - Every picked endpoint's lease is completed exactly once (success, 5xx, connection
///   failure or cancelled), which keeps in-flight counts, draining and passive health right.
/// - The client may half-close (the listener allows remote half-closure): its FIN arrives as
///   `ChannelEvent.inputClosed` after the codec delivered every complete request before it;
///   the machine decides when the connection then closes (after the last response is written,
///   which `lastResponseWrite` tracks: closing earlier would drop unwritten bytes).
final class ProxyServerHandler: ChannelDuplexHandler, BackendResponseSink {
    typealias InboundIn = HTTPInboundPart
    typealias OutboundIn = HTTPOutboundPart
    typealias OutboundOut = HTTPOutboundPart

    private let listener: ListenerContext
    /// This listener's counters on this loop (the stats page's frontend row).
    private let listenerActivity: ListenerActivity
    /// Whether ``listenerActivity`` counts this connection as open.
    private var countedOpen = false
    private let loop: LoopLocalState
    private var machine = ExchangeStateMachine()
    private var context: ChannelHandlerContext?

    // The exchange in flight.
    private var outgoingHead: HTTPOutgoingHead?
    /// The backend the current request goes to (its pool takes the connection back).
    private var backendName: String?
    private var requestKeepAlive = true
    /// Completes when the last byte of the current response has been written.
    private var responseWritten: EventLoopFuture<Void>?
    /// Completes when the last response (forwarded or the proxy's own) has been written.
    private var lastResponseWrite: EventLoopFuture<Void>?
    private var heldRequestParts: [HTTPOutboundPart] = []
    private var backend: BackendConnection?
    private var lease: Lease?
    private var outcome: RequestOutcome = .success
    private var hashKey: HashKey?
    private var requestComplete = false
    private var requestIsHTTP10 = false
    private var requestIsHEAD = false
    private var redirectLocation: String?
    /// The configured response (`http-request return`) the local answer in flight writes.
    private var configuredResponse: ConfiguredResponse.Rendered?
    /// Edits to the backend's final response head (`http-response` rules); empty without rules.
    private var responseEdits: [HeaderEdit] = []
    /// The backend's last head was an interim (1xx) response: its `.end` is not the exchange's.
    private var interimResponse = false
    /// The SNI name of a TLS connection, from TLSTerm's handshake event.
    private var serverName: String?
    /// The connection's addresses, once the first request needed them.
    private var peer: ConnectionFacts?
    /// Timings and facts of the exchange in flight, for metrics and the access log.
    /// Without an access log only the start of each exchange is timed (for the duration
    /// histogram); its `details`, with the per-phase instants, exist only with one.
    private var trace: ExchangeTrace

    // Pipelining and backpressure.
    private var queuedParts: [HTTPInboundPart] = []
    private var readsPaused = false
    private var readPending = false
    /// A parse error in bytes pipelined after a complete request. The requests before it are
    /// answered first, in order; then the 400 (or 413/431/…) and close (RFC 9112 §9.3, §9.6).
    /// Answering at once would drop a response the backend has already produced.
    private var deferredParseError: HTTPParseError?

    // Timeouts. Deadlines are plain stored values that the loop's timeout sweep
    // (``LoopLocalState/checkTimeouts(now:)``, every 100 ms) compares with the clock: arming
    // one is a store, where an NIO timer per arm cost a heap insert, a cancel and several
    // allocations on every request (a tenth of the proxy's CPU under keep-alive load).
    /// Between requests: the keep-alive timeout (closes silently); from the first byte of a
    /// request until its head is complete: the request-head timeout (slowloris: 408, then
    /// close); while a request body arrives: the client timeout, re-armed by every read; in a
    /// tunnel: the tunnel timeout.
    private var idleDeadline: NIODeadline?
    private var idleTimerPurpose: IdleTimerPurpose = .requestHead
    private enum IdleTimerPurpose { case keepAlive, requestHead, clientBody, tunnel }
    /// Whether a byte of the next request head has arrived: a head timeout then answers 408;
    /// a connection that never sent anything (a browser's preconnect) is closed silently.
    private var headBytesSeen = false
    /// No response head from the backend by then → 504.
    private var serverDeadline: NIODeadline?
    /// While the client cannot take more response bytes: the client timeout, re-armed as long
    /// as it keeps taking some (a slow reader is fine, a stopped one is cut).
    private var writeStallDeadline: NIODeadline?
    /// The bytes waiting to be written when `writeStallDeadline` was last armed.
    private var writeStallBuffered = 0

    /// The connection's HTTP codec, asked whether it holds part of a request head.
    private let codec: HTTPServerCodec

    init(listener: ListenerContext, loop: LoopLocalState, codec: HTTPServerCodec) {
        self.listener = listener
        self.loop = loop
        self.listenerActivity = loop.metrics.listenerActivity(named: listener.configuration.name)
        self.codec = codec
        self.trace = ExchangeTrace(logging: loop.accessLog != nil)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { armIdleTimer(listener.requestHeadTimeout, purpose: .requestHead) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        loop.clientOpened(self)
        listenerActivity.opened()
        countedOpen = true
        armIdleTimer(listener.requestHeadTimeout, purpose: .requestHead)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let handshake = event as? TLSHandshakeCompleted {
            serverName = handshake.session.serverName
            return
        }
        if let channelEvent = event as? ChannelEvent, channelEvent == .inputClosed {
            perform(machine.clientInputClosed())
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = Self.unwrapInboundIn(data)
        if !machine.isTunnel && (!queuedParts.isEmpty || (requestComplete && !machine.isIdle)) {
            queuedParts.append(part)
            readsPaused = true
            return
        }
        handle(part)
    }

    /// Request body parts are written to the backend without a flush each; one flush per read
    /// burst sends them. (Without it a body larger than the channel's high-water mark would
    /// make the backend unwritable, pause client reads, and never be flushed.)
    func channelReadComplete(context: ChannelHandlerContext) {
        clientBytesArrived()
        backend?.channel.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        loop.clientClosed(self)
        if countedOpen {
            countedOpen = false
            listenerActivity.closed()
        }
        perform(machine.clientClosed())
        if !trace.begun, let accessLog = loop.accessLog, accessLog.logNullConnections {
            let remote = context.channel.remoteAddress
            accessLog.append(ExchangeTrace.nullConnectionRecord(client: (remote?.ipAddress ?? "-", remote?.port ?? 0), listener: listener))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParseError {
            // The codec stopped decoding for good: answer and close (RFC 9112 §9.6) — after
            // the requests before the bad bytes, when the error is in a pipelined one.
            if !machine.isTunnel && (!queuedParts.isEmpty || (requestComplete && !machine.isIdle)) {
                deferredParseError = parseError
                readsPaused = true
                return
            }
            queuedParts.removeAll()
            refuse(parseError)
            return
        }
        perform(machine.clientClosed())
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        backend?.handler.setReadsPaused(!writable)
        if writable {
            writeStallDeadline = nil
        } else if writeStallDeadline == nil {
            armWriteStallTimer()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Graceful shutdown began (``LoopLocalState/beginDraining()``). Idle: close now. Busy:
    /// the response will carry `Connection: close` and the connection closes after it (see
    /// `requestKeepAlive` and `finishExchange`).
    func beginDraining() {
        if machine.isIdle && queuedParts.isEmpty {
            perform(machine.clientClosed())
        } else {
            requestKeepAlive = false
        }
    }

    /// Closes the connection whatever it is doing (the shutdown grace ran out).
    func closeConnection() {
        context?.close(promise: nil)
    }

    /// Bytes arrived from the client (called once per read burst, after the codec decoded
    /// what it could). The codec only reports complete heads, so this is what makes a client
    /// trickling a head (slowloris) or stalling in a body visible to the timeouts.
    private func clientBytesArrived() {
        if machine.isIdle {
            // Part of a new request is held by the codec: the head must now complete in time.
            guard codec.hasBufferedInput else { return }
            if !trace.active && trace.firstByteAt == nil { trace.firstByteAt = .now() }
            if idleTimerPurpose == .keepAlive { armIdleTimer(listener.requestHeadTimeout, purpose: .requestHead) }
            headBytesSeen = true
        } else if machine.isTunnel {
            armIdleTimer(listener.tunnelTimeout, purpose: .tunnel)
        } else if !requestComplete {
            armIdleTimer(listener.clientTimeout, purpose: .clientBody)
        }
    }

    // MARK: Request side

    private func handle(_ part: HTTPInboundPart) {
        switch part {
        case .head(let head):
            idleDeadline = nil
            headBytesSeen = false
            requestHead(head)
            if !requestComplete && !machine.isIdle && head.framing != .none {
                armIdleTimer(listener.clientTimeout, purpose: .clientBody)
            }
        case .body(let bytes):
            trace.bytesReceived &+= bytes.readableBytes
            if case .sendRequestBody = machine.requestBody() {
                backend?.handler.write(.body(bytes), flush: false)
            } else {
                heldRequestParts.append(.body(bytes))
            }
        case .end(let received):
            let trailers = HTTPTrailerFilter.forwardable(received)
            if idleTimerPurpose == .clientBody { idleDeadline = nil }
            requestComplete = true
            // Reads go on: a client that waits for its response sends nothing, and pausing
            // (then resuming) reads here cost two epoll_ctl calls per request. A pipelined
            // request that does arrive is queued and pauses reads then (`channelRead`).
            switch machine.requestEnd() {
            case .sendRequestEnd: backend?.handler.write(.end(trailers: trailers), flush: true)
            case .pauseClientReads: heldRequestParts.append(.end(trailers: trailers))
            default: break
            }
        case .tunnel(let bytes):
            backend?.handler.write(.tunnel(bytes), flush: true)
        }
    }

    private func requestHead(_ head: HTTPMessageHead) {
        guard let context else { return }
        let now = NIODeadline.now()
        trace.begin(now: now)
        if let details = trace.details {
            details.wallStartMicros = ExchangeTrace.wallClockMicros() - Int64((now.uptimeNanoseconds &- trace.startedAt.uptimeNanoseconds) / 1_000)
            details.method = head.methodName
            details.target = head.target
            details.version = head.version.description
        }
        requestComplete = false
        requestIsHTTP10 = head.version == .http1_0
        requestIsHEAD = head.method == .head
        requestKeepAlive = head.keepAlive && !loop.isDraining
        redirectLocation = nil
        configuredResponse = nil
        if !responseEdits.isEmpty { responseEdits = [] }
        backendName = nil
        let peer = connectionFacts(context)
        let facts = RequestFacts(
            target: head.target, host: head.firstValue(of: .host), isTLS: listener.isTLS,
            clientAddress: peer.clientAddress, clientPort: peer.clientPort, listenerPort: peer.listenerPort,
            serverName: serverName, headers: .head(head), clientIP: peer.clientIP, method: head.method
        )
        let bodiless = head.framing == .none
        switch listener.router.route(facts) {
        case .redirect(let location, let status):
            redirectLocation = location
            perform(machine.answerLocally(status: status, keepAlive: head.keepAlive && bodiless))
        case .deny(let status, let backend):
            // proxyd's error response for the status, as HAProxy's deny uses its errorfile (the
            // backend's, for a backend's rule).
            backendName = backend
            listenerActivity.counters.denied &+= 1
            perform(machine.answerLocally(status: status, keepAlive: head.keepAlive && bodiless))
        case .respond(let response):
            configuredResponse = response
            perform(machine.answerLocally(status: response.status, keepAlive: head.keepAlive && bodiless))
        case .noBackend:
            perform(machine.answerLocally(status: 503, keepAlive: head.keepAlive && bodiless))
        case .missingHost:
            perform(machine.answerLocally(status: 400, keepAlive: false))
        case .forward(let backendName, let edits, let responseEdits):
            guard let group = loop.group(named: backendName) else {
                perform(machine.answerLocally(status: 503, keepAlive: false))
                return
            }
            var headerEdits = HTTPHeaderEdits()
            headerEdits.reserveCapacity(edits.count + 2)
            do {
                for edit in edits {
                    switch edit {
                    case .add(let name, let value), .append(let name, let value): try headerEdits.add(name, value)
                    case .set(let name, let value): try headerEdits.set(name, value)
                    case .remove(let name): try headerEdits.remove(name)
                    }
                }
                if head.head.requestsUpgrade, let upgrade = head.firstValue(of: .upgrade) {
                    // RFC 9110 §7.8: the upgrade is offered to the next hop too, so its
                    // Connection and Upgrade fields pass although they are hop-by-hop.
                    try headerEdits.add("Connection", "upgrade")
                    try headerEdits.add("Upgrade", upgrade)
                }
            } catch {
                // A rendered value carried CR/LF (from a request header): refuse, never inject.
                perform(machine.answerLocally(status: 400, keepAlive: false))
                return
            }
            outgoingHead = HTTPOutgoingHead(forwarding: head, edits: headerEdits, allocator: context.channel.allocator)
            self.responseEdits = responseEdits
            self.backendName = backendName
            trace.details?.backend = backendName
            trace.backendIndex = loop.metrics.index(ofBackend: backendName)
            hashKey = group.hashKey(for: facts)
            let info = ExchangeStateMachine.RequestInfo(
                isIdempotent: Self.isIdempotent(head.method),
                hasBody: !bodiless, keepAlive: head.keepAlive
            )
            perform(machine.requestHead(info, forwardTo: backendName, maxRetries: group.configuration.retries))
        }
    }

    /// Response rule edits onto a response head's edits. Values were checked when the file was
    /// loaded; one that still fails (a sample carrying a control character) is left out rather
    /// than sent.
    private static func apply(_ responseEdits: [HeaderEdit], to edits: inout HTTPHeaderEdits) {
        edits.reserveCapacity(responseEdits.count + 1)
        for edit in responseEdits {
            switch edit {
            case .add(let name, let value), .append(let name, let value): try? edits.add(name, value)
            case .set(let name, let value): try? edits.set(name, value)
            case .remove(let name): try? edits.remove(name)
            }
        }
    }

    /// RFC 9110 §9.2.2: the methods a retry on another connection cannot make happen twice.
    private static func isIdempotent(_ method: HTTPMethod) -> Bool {
        switch method {
        case .get, .head, .options, .put, .delete, .trace: true
        default: false
        }
    }

    /// The client's address and the listener's port, read from the channel once per
    /// connection (formatting an address costs allocations; a connection carries many requests).
    private func connectionFacts(_ context: ChannelHandlerContext) -> ConnectionFacts {
        if let peer { return peer }
        let remote = context.channel.remoteAddress
        let facts = ConnectionFacts(
            clientAddress: remote?.ipAddress ?? "", clientPort: remote?.port ?? 0,
            clientIP: remote.flatMap(IPAddressValue.init), listenerPort: context.channel.localAddress?.port ?? listener.configuration.bind.port
        )
        peer = facts
        return facts
    }

    private struct ConnectionFacts {
        var clientAddress: String
        var clientPort: Int
        var clientIP: IPAddressValue?
        var listenerPort: Int
    }

    // MARK: Actions

    private func perform(_ action: ExchangeStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .connect(let backendName, let excluding, let fresh):
            connect(backendName: backendName, excluding: excluding, fresh: fresh, context: context)
        case .sendRequestHead:
            guard let backend, let outgoingHead else { return }
            backend.handler.write(.head(outgoingHead), flush: false)
            let held = heldRequestParts
            heldRequestParts.removeAll()
            for part in held { backend.handler.write(part, flush: false) }
            backend.channel.flush()
            trace.details?.requestSentAt = .now()
            armServerTimer()
        case .sendRequestBody, .sendRequestEnd, .forwardResponseHead, .forwardResponseBody:
            break  // performed inline where the data is
        case .pauseClientReads:
            readsPaused = true
        case .startTunnel:
            break  // the head is forwarded by the caller; both codecs switch to tunnel parts
        case .finishExchange(let reusable, let keepAlive):
            finishExchange(backendReusable: reusable, keepClientAlive: keepAlive, context: context)
        case .respond(let status, let keepAlive, let release):
            if release == .close { releaseBackend(reusable: false) }
            completeLease(.cancelled)  // failures were reported where they happened
            writeLocalResponse(status: status, keepAlive: keepAlive, context: context)
        case .abort(let closeBackend):
            endTrace(abortTermination())
            if closeBackend { releaseBackend(reusable: false) }
            completeLease(.cancelled)
            cancelTimers()
            context.close(promise: nil)
        case .closeWhenWritten:
            cancelTimers()
            guard let written = lastResponseWrite else {
                context.close(promise: nil)
                return
            }
            lastResponseWrite = nil
            written.assumeIsolated().whenComplete { _ in self.context?.close(promise: nil) }
        }
    }

    private func connect(backendName: String, excluding: Set<String>, fresh: Bool, context: ChannelHandlerContext) {
        guard let pick = loop.pick(backend: backendName, key: hashKey, excluding: excluding), let lease = pick.lease else {
            perform(machine.backendConnectFailed(endpoint: nil, timedOut: false))
            return
        }
        self.lease = lease
        outcome = .success
        let endpoint = lease.endpoint
        trace.connectAttempts += 1
        if let previous = trace.endpoint, previous != endpoint.id { trace.redispatches += 1 }
        trace.endpoint = endpoint.id
        trace.details?.serverFailure = nil
        trace.details?.connectStartedAt = .now()
        if !fresh, let pooled = loop.pool(for: backendName)?.take(endpoint: endpoint.id, now: .now()) {
            attach(pooled, reused: true)
            return
        }
        let limits = listener.parserLimits
        BackendConnection.connect(
            host: endpoint.address, port: endpoint.port, endpointID: endpoint.id, on: context.eventLoop,
            timeout: listener.connectTimeout, limits: limits
        ).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let connection):
                guard !self.machine.isClosed, self.context != nil else {
                    connection.close()
                    self.completeLease(.cancelled)
                    return
                }
                self.attach(connection, reused: false)
            case .failure(let error):
                self.completeLease(.connectionFailure)
                self.loop.metrics.recordFailure(backend: self.trace.backendIndex, endpoint: endpoint.id, connect: true)
                var timedOut = false
                if case .connectTimeout = error as? ChannelError { timedOut = true }
                self.perform(self.machine.backendConnectFailed(endpoint: endpoint.id, timedOut: timedOut))
            }
        }
    }

    private func attach(_ connection: BackendConnection, reused: Bool) {
        connection.handler.owner = self
        trace.details?.connectedAt = .now()
        connection.handler.setReadsPaused(!(context?.channel.isWritable ?? true))
        backend = connection
        perform(machine.backendConnected(endpoint: connection.endpointID, reused: reused))
    }

    private func finishExchange(backendReusable: Bool, keepClientAlive: Bool, context: ChannelHandlerContext) {
        serverDeadline = nil
        endTrace("--")
        completeLease(outcome)
        releaseBackend(reusable: backendReusable)
        outgoingHead = nil
        backendName = nil
        heldRequestParts.removeAll()
        let written = responseWritten
        responseWritten = nil
        if keepClientAlive && !loop.isDraining {
            resumeClient(context: context)
        } else if let written {
            written.assumeIsolated().whenComplete { _ in self.context?.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    /// Back to reading requests: replay queued pipelined parts until one of them starts an
    /// exchange whose request is complete (the rest wait for it), then let reads flow.
    private func resumeClient(context: ChannelHandlerContext) {
        requestComplete = false
        readsPaused = false
        // Idle only if nothing of a next request is waiting: a queued part or bytes the codec
        // holds mean a head is on its way, which must complete within the request-head timeout.
        let waiting = !queuedParts.isEmpty || codec.hasBufferedInput
        armIdleTimer(waiting ? listener.requestHeadTimeout : listener.keepAliveTimeout,
                     purpose: waiting ? .requestHead : .keepAlive)
        while !queuedParts.isEmpty {
            handle(queuedParts.removeFirst())
            if machine.isClosed || (requestComplete && !machine.isIdle) { return }
        }
        if let parseError = deferredParseError {
            // Every complete request before the bad bytes has had its response; a replayed one
            // the error cut short is answered like any request whose body fails to parse.
            deferredParseError = nil
            refuse(parseError)
            return
        }
        if machine.isIdle {
            // After the client's input ended, every request it sent is now answered: close.
            let next = machine.awaitingRequest()
            if next != .none {
                perform(next)
                return
            }
        }
        if !readsPaused && readPending {
            readPending = false
            context.read()
        }
    }

    /// Answers a request the codec refused (400, 413, 431, …) — or, when the client's input
    /// ended inside it, does what the machine says for a request cut short.
    private func refuse(_ error: HTTPParseError) {
        if error.kind == .incompleteMessage {
            perform(machine.requestCutShort())
        } else {
            listenerActivity.counters.requestErrors &+= 1
            perform(machine.answerLocally(status: error.status, keepAlive: false))
        }
    }

    private func releaseBackend(reusable: Bool) {
        guard let connection = backend else { return }
        backend = nil
        connection.handler.owner = nil
        connection.handler.setReadsPaused(false)
        if reusable, let backendName, let pool = loop.pool(for: backendName) {
            pool.release(connection, endpoint: connection.endpointID, now: .now())
        } else {
            connection.close()
        }
    }

    private func completeLease(_ result: RequestOutcome) {
        lease?.complete(result)
        lease = nil
    }

    private func writeLocalResponse(status: Int, keepAlive: Bool, context: ChannelHandlerContext) {
        serverDeadline = nil
        // A request the parser refused never had a head (so it was not a HEAD request).
        let headOnly = trace.active && requestIsHEAD
        let response: LocalResponse.Response
        if let configured = configuredResponse, configured.status == status {
            response = .init(parts: LocalResponse.parts(configured: configured, close: !keepAlive, headOnly: headOnly, allocator: context.channel.allocator),
                             status: status, close: !keepAlive)
        } else if let location = redirectLocation, (300..<400).contains(status) {
            response = .init(parts: LocalResponse.redirect(to: location, status: status, close: !keepAlive, allocator: context.channel.allocator),
                             status: status, close: !keepAlive)
        } else {
            // Errors, a deny among them: the configured error page for the status, if any.
            response = LocalResponse.response(
                status: status, location: nil, keepAlive: keepAlive, headOnly: headOnly,
                page: listener.errorPages?.page(for: status, backend: backendName), allocator: context.channel.allocator)
        }
        let parts = response.parts
        redirectLocation = nil
        configuredResponse = nil
        if !trace.active {
            // A request the parser refused never had a head: log it as HAProxy does.
            trace.begin(now: .now())
            if let details = trace.details {
                details.wallStartMicros = ExchangeTrace.wallClockMicros()
                details.method = "<BADREQ>"
            }
        }
        trace.status = response.status
        for part in parts { trace.bytesSent += part.byteCount }
        endTrace(localTermination(status: status))
        for part in parts.dropLast() { context.write(Self.wrapOutboundOut(part), promise: nil) }
        guard let last = parts.last else {
            perform(machine.clientClosed())  // an empty error page: close without an answer
            return
        }
        let written = context.writeAndFlush(Self.wrapOutboundOut(last))
        lastResponseWrite = written
        written.assumeIsolated().whenComplete { _ in
            if self.lastResponseWrite === written { self.lastResponseWrite = nil }
            guard let context = self.context else { return }
            let next = response.close ? self.machine.clientClosed() : self.machine.localResponseSent()
            if next == .none, self.machine.isIdle {
                self.outgoingHead = nil
                self.heldRequestParts.removeAll()
                self.resumeClient(context: context)
            } else {
                self.perform(next)
            }
        }
    }

    // MARK: Backend side (BackendResponseSink)

    func backendPart(_ part: HTTPInboundPart) {
        guard let context else { return }
        switch part {
        case .head(let head):
            serverDeadline = nil
            interimResponse = head.status < 200 && head.status != 101
            let action = machine.responseHead(status: head.status, keepAlive: head.keepAlive)
            if head.status >= 500 { outcome = .serverError }
            if !interimResponse {
                trace.details?.responseHeadAt = .now()
                trace.status = head.status
            }
            switch action {
            case .forwardResponseHead, .startTunnel:
                var edits = HTTPHeaderEdits()
                if !responseEdits.isEmpty && !interimResponse {
                    // HAProxy runs http-response rules on final responses and 101, not on 1xx.
                    Self.apply(responseEdits, to: &edits)
                }
                let closing = !(head.keepAlive && requestComplete && requestKeepAlive) || loop.isDraining
                if action == .startTunnel {
                    edits.removeHopByHop = false  // Connection: upgrade and Upgrade must pass
                } else if closing && head.status >= 200 {
                    try? edits.set("Connection", "close")
                } else if requestIsHTTP10 && head.status >= 200 {
                    try? edits.set("Connection", "keep-alive")
                }
                let outgoing = HTTPOutgoingHead(forwarding: head, edits: edits, allocator: context.channel.allocator)
                trace.bytesSent += outgoing.bytes.readableBytes
                context.write(Self.wrapOutboundOut(.head(outgoing)), promise: nil)
                if action == .startTunnel {
                    // Raw bytes flow both ways from now on; the tunnel timeout replaces the others.
                    context.flush()
                    readsPaused = false
                    armIdleTimer(listener.tunnelTimeout, purpose: .tunnel)
                    if readPending {
                        readPending = false
                        context.read()
                    }
                }
            default:
                perform(action)
            }
        case .body(let bytes):
            guard case .forwardResponseBody = machine.responseBody() else { return }
            trace.bytesSent += bytes.readableBytes
            context.write(Self.wrapOutboundOut(.body(bytes)), promise: nil)
            if !context.channel.isWritable { backend?.handler.setReadsPaused(true) }
        case .end(let trailers):
            if interimResponse {
                // 100 Continue / 103 Early Hints are heads only; the final response follows.
                interimResponse = false
                context.flush()
                return
            }
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(Self.wrapOutboundOut(.end(trailers: HTTPTrailerFilter.forwardable(trailers))), promise: promise)
            responseWritten = promise.futureResult
            lastResponseWrite = promise.futureResult
            perform(machine.responseEnd())
        case .tunnel(let bytes):
            trace.bytesSent += bytes.readableBytes
            context.write(Self.wrapOutboundOut(.tunnel(bytes)), promise: nil)
        }
    }

    func backendReadComplete() {
        context?.flush()
    }

    func backendFailed(_ error: (any Error)?) {
        guard backend != nil else { return }
        backend = nil
        outcome = .connectionFailure
        trace.details?.serverFailure = "S"
        recordEndpointFailure(connect: false)
        completeLease(.connectionFailure)
        perform(machine.backendFailed(timedOut: false))
    }

    func backendWritabilityChanged(isWritable: Bool) {
        guard let context else { return }
        if isWritable {
            if !requestComplete {
                readsPaused = false
                if readPending {
                    readPending = false
                    context.read()
                }
            }
        } else {
            readsPaused = true
        }
    }

    // MARK: Timeouts

    /// Arms the client-side deadline for `purpose` (see `idleDeadline`). When it passes, an
    /// idle or half-sent request is closed: a client that cannot finish a head or a body in
    /// time holds a connection for nothing (slowloris); a silent tunnel is closed both ways.
    private func armIdleTimer(_ timeout: TimeAmount, purpose: IdleTimerPurpose) {
        idleTimerPurpose = purpose
        idleDeadline = .now() + timeout
    }

    /// The server timeout: no response head within `timeouts.server` → 504.
    private func armServerTimer() {
        serverDeadline = .now() + listener.serverTimeout
    }

    /// The client timeout for the response side: armed when the client stops taking response
    /// bytes fast enough (the channel turned unwritable). When it passes, a client that took
    /// some bytes meanwhile gets another period; one that took none is closed with its backend
    /// connection, so a reader that stopped reading holds neither a connection nor buffered
    /// response bytes for longer than `timeouts.client`.
    private func armWriteStallTimer() {
        guard let context else { return }
        writeStallBuffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        writeStallDeadline = .now() + listener.clientTimeout
    }

    private func writeStallExpired() {
        guard let channel = context?.channel, !channel.isWritable, channel.isActive else { return }
        let buffered = (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        if buffered < writeStallBuffered {
            armWriteStallTimer()
        } else {
            perform(machine.clientClosed())
        }
    }

    // MARK: Metrics and access log

    /// Ends the traced exchange: one metrics sample on this loop and, when configured, one
    /// access log record handed to the writer thread.
    private func endTrace(_ termination: @autoclosure () -> String) {
        guard trace.active else { return }
        trace.active = false
        let now = NIODeadline.now()
        if trace.status >= 0 {
            listenerActivity.counters.requests &+= 1
            listenerActivity.counters.bytesIn &+= trace.bytesReceived
            listenerActivity.counters.bytesOut &+= trace.bytesSent
            loop.metrics.record(
                backend: trace.backendIndex, endpoint: trace.endpoint, status: trace.status,
                durationNanoseconds: Int64(truncatingIfNeeded: now.uptimeNanoseconds &- trace.startedAt.uptimeNanoseconds),
                retries: trace.retries, bytes: trace.bytesSent,
                bytesIn: trace.bytesReceived, redispatches: trace.redispatches, now: now.uptimeNanoseconds)
        } else {
            loop.metrics.clientAborted()
        }
        if let accessLog = loop.accessLog {
            let remote = context?.channel.remoteAddress
            if let record = trace.record(
                now: now, termination: termination(),
                client: (remote?.ipAddress ?? "-", remote?.port ?? 0), listener: listener) {
                accessLog.append(record)
            }
        }
    }

    /// Counts a failed connection to the endpoint being tried, when it fails (a retry may
    /// finish the exchange elsewhere).
    private func recordEndpointFailure(connect: Bool) {
        guard let endpoint = trace.endpoint else { return }
        loop.metrics.recordFailure(backend: trace.backendIndex, endpoint: endpoint, connect: connect)
    }

    /// HAProxy's termination state of a response the proxy wrote itself (for the access log:
    /// "--" without one).
    private func localTermination(status: Int) -> String {
        guard let details = trace.details else { return "--" }
        return switch status {
        case 502: details.connectedAt == nil ? "SC" : "\(details.serverFailure ?? "S")H"
        case 503: details.backend == nil ? "--" : "SC"
        case 504: "sH"
        case 300..<400: "LR"
        case 400..<500 where details.backend == nil: "PR"
        default: "--"
        }
    }

    /// HAProxy's termination state of an exchange cut short: who closed (client or server,
    /// `s` for the server timeout) and when (request, headers, data).
    private func abortTermination() -> String {
        guard let details = trace.details else { return "--" }
        let side = details.serverFailure ?? "C"
        if details.responseHeadAt != nil { return side + "D" }
        if details.requestSentAt != nil { return side + "H" }
        return side == "C" ? "CR" : side + "C"
    }

    private func cancelTimers() {
        idleDeadline = nil
        serverDeadline = nil
        writeStallDeadline = nil
    }

    /// Called by the loop's timeout sweep: acts on every deadline that has passed.
    func checkTimeouts(now: NIODeadline) {
        if let deadline = serverDeadline, deadline <= now {
            serverDeadline = nil
            if backend != nil {
                outcome = .connectionFailure
                trace.details?.serverFailure = "s"
                recordEndpointFailure(connect: false)
                completeLease(.connectionFailure)
                perform(machine.backendFailed(timedOut: true))
            }
        }
        if let deadline = writeStallDeadline, deadline <= now {
            writeStallDeadline = nil
            writeStallExpired()
        }
        if let deadline = idleDeadline, deadline <= now {
            idleDeadline = nil
            switch idleTimerPurpose {
            case .keepAlive, .requestHead:
                guard machine.isIdle else { return }
                if idleTimerPurpose == .requestHead && headBytesSeen && queuedParts.isEmpty {
                    // Part of a head arrived but not the rest in time (slowloris): say so, as
                    // HAProxy does for `timeout http-request`, and close.
                    readsPaused = true
                    perform(machine.answerLocally(status: 408, keepAlive: false))
                    return
                }
            case .clientBody:
                guard !requestComplete, !machine.isIdle else { return }
            case .tunnel:
                guard machine.isTunnel else { return }
            }
            perform(machine.clientClosed())
        }
    }
}

@available(*, unavailable)
extension ProxyServerHandler: Sendable {}
