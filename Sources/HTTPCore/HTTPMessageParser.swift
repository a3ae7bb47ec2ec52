/// Parses a stream of HTTP/1.1 messages (requests on a server connection, responses on a
/// client connection): heads with `HTTPHeadParser`, bodies by their framing, pipelined
/// messages one after another, and the switch to a tunnel after CONNECT or Upgrade.
///
/// A value-type state machine over bytes; the NIO codecs only drive it. Each `parse(_:)` call
/// gets the bytes the caller has not consumed yet (oldest first) and returns one `Event`
/// saying how many it consumed. Body data is returned as ranges of the input, so the caller
/// can pass it on as slices of its own buffer.
///
/// Invariants the caller relies on:
/// - `head` describes the last `.head` event until the next `parse` after `.end`.
/// - After a request that may tunnel (CONNECT, or Upgrade with `Connection: upgrade`), the
///   parser returns `.paused` after `.end` until the server says whether it switched
///   (`upgradeAccepted()` / `upgradeDeclined()`), because the bytes that follow are either
///   the next request or another protocol (RFC 9110 §7.8, §9.3.6).
/// - After a message that closes the connection (RFC 9112 §9.6) any further byte is an
///   error (`dataAfterClose`); after any error the parser must not be used again.
/// - A request whose chunked body framing is already malformed in the bytes that came with
///   its head fails at the head: no `.head` event is returned for it.
public struct HTTPMessageParser: Sendable {
    /// One step of parsing.
    public enum Event: Hashable, Sendable {
        /// Nothing more to report: drop `consumed` bytes and call again with more input.
        case needMore(consumed: Int)
        /// A head is complete; `head` describes it with offsets into this call's input.
        /// `length` bytes are consumed.
        case head(length: Int)
        /// Body bytes at this range of the input; everything before `upperBound` is consumed.
        case body(Range<Int>)
        /// The message is complete. For chunked bodies `trailers` holds the trailer field
        /// lines (empty otherwise).
        case end(consumed: Int, trailers: Range<Int>)
        /// Bytes after the switch to a tunnel: not HTTP any more. All are consumed.
        case tunnel(Range<Int>)
        /// Waiting for `upgradeAccepted()` or `upgradeDeclined()`; nothing consumed.
        case paused
    }

    private enum State: Hashable, Sendable {
        case idle
        case head
        case fixed(remaining: Int)
        case chunked
        case untilClose
        case endPending
        case awaitingUpgrade
        case tunnel
        case closed
    }

    private var headParser: HTTPHeadParser
    private var chunked: ChunkedBodyDecoder
    private var state: State = .idle
    private var untilCloseSize = 0
    /// Bytes consumed since the start of the connection: the origin of error offsets.
    public private(set) var streamOffset = 0

    /// Creates a parser for requests (server side) or responses (client side).
    public init(kind: HTTPMessageKind, limits: HTTPParserLimits = .default) {
        self.headParser = HTTPHeadParser(kind: kind, limits: limits)
        self.chunked = ChunkedBodyDecoder(limits: limits)
    }

    /// The current (or last) head.
    public var head: HTTPHead { headParser.head }

    /// Request or response.
    public var kind: HTTPMessageKind { headParser.kind }

    /// The limits enforced.
    public var limits: HTTPParserLimits { headParser.limits }

    /// Response parsers: the method of the request the next response answers (HEAD and
    /// CONNECT change response framing). Set it before the response's head is parsed.
    public var requestMethod: HTTPMethod {
        get { headParser.requestMethod }
        set { headParser.requestMethod = newValue }
    }

    /// True between messages (nothing of a next message parsed yet).
    public var isIdle: Bool { state == .idle }

    /// True once the connection is done with HTTP (closed after a message, or tunnelling).
    public var isClosed: Bool { state == .closed }

    /// True after the switch to a tunnel.
    public var isTunnel: Bool { state == .tunnel }

    /// True while waiting for the server's decision on CONNECT/Upgrade.
    public var isAwaitingUpgradeDecision: Bool { state == .awaitingUpgrade }

    /// Parses from the start of `bytes`. See the type's documentation.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Event {
        let event: Event
        do {
            event = try step(bytes)
        } catch {
            state = .closed
            throw error.shifted(by: streamOffset)
        }
        switch event {
        case .needMore(let consumed), .head(let consumed), .end(let consumed, _): streamOffset += consumed
        case .body(let range), .tunnel(let range): streamOffset += range.upperBound
        case .paused: break
        }
        return event
    }

    /// The server switched protocols (sent 101, or 2xx to CONNECT): what follows is tunnel data.
    public mutating func upgradeAccepted() {
        if state == .awaitingUpgrade { state = .tunnel }
    }

    /// The server answered the CONNECT/Upgrade request normally: keep parsing HTTP.
    public mutating func upgradeDeclined() {
        if state == .awaitingUpgrade { state = head.keepAlive ? .idle : .closed }
    }

    /// The peer closed its side. Returns true when that completed a message (a response
    /// delimited by close, RFC 9112 §6.3 rule 8); throws `incompleteMessage` when it cut a
    /// message short. `unconsumed` is how many bytes the caller still holds.
    public mutating func endOfInput(unconsumed: Int) throws(HTTPParseError) -> Bool {
        switch state {
        case .untilClose:
            state = .closed
            return true
        case .idle, .closed, .tunnel, .awaitingUpgrade:
            if unconsumed > 0 && state == .idle { throw HTTPParseError(.incompleteMessage, offset: streamOffset + unconsumed) }
            state = .closed
            return false
        case .head, .fixed, .chunked, .endPending:
            if state == .endPending { return false }
            state = .closed
            throw HTTPParseError(.incompleteMessage, offset: streamOffset + unconsumed)
        }
    }

    private mutating func step(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Event {
        switch state {
        case .idle:
            guard !bytes.isEmpty else { return .needMore(consumed: 0) }
            headParser.reset()
            state = .head
            return try parseHead(bytes)
        case .head:
            return try parseHead(bytes)
        case .fixed(let remaining):
            guard !bytes.isEmpty else { return .needMore(consumed: 0) }
            let take = min(remaining, bytes.count)
            state = take == remaining ? .endPending : .fixed(remaining: remaining - take)
            return .body(0..<take)
        case .chunked:
            switch try chunked.decodeInBuffer(bytes) {
            case .needMore(let consumed): return .needMore(consumed: consumed)
            case .data(let range): return .body(range)
            case .end(let consumed, let trailers):
                state = stateAfterMessage()
                return .end(consumed: consumed, trailers: trailers)
            }
        case .untilClose:
            guard !bytes.isEmpty else { return .needMore(consumed: 0) }
            let (total, overflow) = untilCloseSize.addingReportingOverflow(bytes.count)
            if overflow || (limits.maxBodySize.map { total > $0 } ?? false) {
                throw HTTPParseError(.bodyTooLarge, offset: (limits.maxBodySize ?? 0) - untilCloseSize)
            }
            untilCloseSize = total
            return .body(0..<bytes.count)
        case .endPending:
            state = stateAfterMessage()
            return .end(consumed: 0, trailers: 0..<0)
        case .awaitingUpgrade:
            return .paused
        case .tunnel:
            guard !bytes.isEmpty else { return .needMore(consumed: 0) }
            return .tunnel(0..<bytes.count)
        case .closed:
            guard bytes.isEmpty else { throw HTTPParseError(.dataAfterClose, offset: 0) }
            return .needMore(consumed: 0)
        }
    }

    private mutating func parseHead(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Event {
        switch try headParser.parse(bytes) {
        case .needMore:
            return .needMore(consumed: 0)
        case .complete(let length):
            switch head.framing {
            case .none, .contentLength(0), .tunnel: state = .endPending
            case .contentLength(let n): state = .fixed(remaining: n)
            case .chunked:
                chunked = ChunkedBodyDecoder(limits: limits)
                state = .chunked
                if kind == .request && length < bytes.count {
                    // Body bytes that came with the head: a framing error among them refuses
                    // the request now, before its head is reported (and forwarded anywhere).
                    do {
                        try chunked.validatePrefix(UnsafeRawBufferPointer(rebasing: bytes[length...]))
                    } catch {
                        throw error.shifted(by: length)
                    }
                }
            case .untilClose:
                untilCloseSize = 0
                state = .untilClose
            }
            return .head(length: length)
        }
    }

    /// Where a completed message leaves the connection.
    private func stateAfterMessage() -> State {
        let head = self.head
        switch head.kind {
        case .request:
            if head.mayTunnel { return .awaitingUpgrade }
        case .response:
            if head.framing == .tunnel { return .tunnel }
            // Interim responses (RFC 9110 §15.2) precede the final one on the same connection.
            if (100..<200).contains(head.status) { return .idle }
        }
        return head.keepAlive ? .idle : .closed
    }
}
