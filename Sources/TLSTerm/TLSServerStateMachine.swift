/// The lifecycle of one server-side TLS connection, as a value type: each event returns the
/// action the handler must perform, and the handler performs nothing else. The OpenSSL engine
/// reports outcomes back as events (`handshakeCompleted`, `closeNotifyReceived`...).
///
/// ```
/// idle ─active→ handshaking ─complete→ open ─close_notify in→ inputClosed ─close→ closing
///                   │                   │ └─close(.output)→ outputClosed ─close_notify in→ closing
///                   └─fail/timeout→ closed ←──── channelInactive from any state ───┘
/// ```
struct TLSServerStateMachine: Sendable, Equatable {
    enum State: Sendable, Equatable {
        /// Channel not active yet.
        case idle
        /// ClientHello to Finished. Writes are buffered until the handshake completes.
        case handshaking(flushRequested: Bool)
        /// Application data flows both ways.
        case open
        /// The peer sent close_notify and half-closure is allowed: we may still write.
        case inputClosed
        /// We sent close_notify (half-close): we still read until the peer's close_notify.
        case outputClosed
        /// A full close is under way.
        case closing
        /// The channel is inactive.
        case closed
    }

    private(set) var state: State = .idle
    /// Whether the peer's close_notify only half-closes (TLS 1.3 semantics, RFC 8446 §6.1)
    /// instead of closing the whole connection.
    let allowHalfClosure: Bool

    /// A machine for one connection.
    init(allowHalfClosure: Bool) {
        self.allowHalfClosure = allowHalfClosure
    }

    // MARK: Events and their actions

    enum ActivateAction: Equatable { case startHandshake, none }

    /// The channel became active (or the handler was added to an active channel).
    mutating func channelActive() -> ActivateAction {
        guard case .idle = state else { return .none }
        state = .handshaking(flushRequested: false)
        return .startHandshake
    }

    enum ReceiveAction: Equatable {
        /// Feed the bytes to OpenSSL and continue the handshake.
        case continueHandshake
        /// Feed the bytes to OpenSSL and read plaintext.
        case decrypt
        /// Ignore them (closing or closed, or the peer already said close_notify).
        case discard
    }

    /// Ciphertext arrived.
    func ciphertextReceived() -> ReceiveAction {
        switch state {
        case .handshaking: .continueHandshake
        case .open, .outputClosed: .decrypt
        case .idle, .inputClosed, .closing, .closed: .discard
        }
    }

    enum HandshakeCompletedAction: Equatable {
        /// Publish the session, write buffered plaintext (and flush if a flush was asked for),
        /// then decrypt whatever application data came with the client's Finished.
        case publish(flushBufferedWrites: Bool)
        case none
    }

    /// OpenSSL reports the handshake complete.
    mutating func handshakeCompleted() -> HandshakeCompletedAction {
        guard case .handshaking(let flushRequested) = state else { return .none }
        state = .open
        return .publish(flushBufferedWrites: flushRequested)
    }

    enum FailureAction: Equatable {
        /// Send any pending alert, fire the error, close the channel.
        case closeWithError(TLSError)
        case none
    }

    /// OpenSSL failed (handshake or record), or the handshake timer fired while handshaking.
    mutating func failed(_ error: TLSError) -> FailureAction {
        switch state {
        case .closed, .closing, .idle: return .none
        case .open, .inputClosed, .outputClosed:
            if error == .handshakeTimeout { return .none }
        case .handshaking: break
        }
        state = .closing
        return .closeWithError(error)
    }

    enum WriteAction: Equatable {
        /// Keep the plaintext until the handshake completes.
        case buffer
        /// Encrypt and write now.
        case encrypt
        /// Fail the write's promise.
        case fail(WriteFailure)
    }

    enum WriteFailure: Equatable {
        /// We already sent close_notify.
        case outputClosed
        /// The channel is closed or closing.
        case closed
    }

    /// Plaintext to send.
    func write() -> WriteAction {
        switch state {
        case .idle, .handshaking: .buffer
        case .open, .inputClosed: .encrypt
        case .outputClosed: .fail(.outputClosed)
        case .closing, .closed: .fail(.closed)
        }
    }

    enum FlushAction: Equatable { case flush, deferred }

    /// A flush request.
    mutating func flush() -> FlushAction {
        switch state {
        case .handshaking:
            state = .handshaking(flushRequested: true)
            return .deferred
        case .idle:
            return .deferred
        case .open, .inputClosed, .outputClosed, .closing, .closed:
            return .flush
        }
    }

    enum CloseNotifyAction: Equatable {
        /// Tell the handlers after us that input ended (`ChannelEvent.inputClosed`).
        case fireInputClosed
        /// Answer with our close_notify and close the channel.
        case replyAndClose
        /// Both sides have sent close_notify: close the channel.
        case close
        case none
    }

    /// The peer sent close_notify.
    mutating func closeNotifyReceived() -> CloseNotifyAction {
        switch state {
        case .open:
            if allowHalfClosure {
                state = .inputClosed
                return .fireInputClosed
            }
            state = .closing
            return .replyAndClose
        case .outputClosed:
            state = .closing
            return .close
        case .idle, .handshaking, .inputClosed, .closing, .closed:
            return .none
        }
    }

    enum CloseMode: Equatable { case all, output, input }

    enum CloseAction: Equatable {
        /// No TLS session to end politely: close the channel now.
        case closeNow
        /// Write close_notify, then close the channel once it is written.
        case sendCloseNotifyThenClose
        /// Write close_notify, then half-close TCP output.
        case sendCloseNotifyThenCloseOutput
        /// Pass the close through unchanged (input-only close, or a close already under way).
        case forward
        /// The channel is gone.
        case failAlreadyClosed
    }

    /// A handler after us asked to close.
    mutating func close(_ mode: CloseMode) -> CloseAction {
        if mode == .input { return state == .closed ? .failAlreadyClosed : .forward }
        switch (state, mode) {
        case (.closed, _):
            return .failAlreadyClosed
        case (.closing, _):
            return .forward
        case (.idle, _), (.handshaking, _):
            state = .closing
            return .closeNow
        case (.open, .all), (.inputClosed, .all), (.inputClosed, .output):
            state = .closing
            return .sendCloseNotifyThenClose
        case (.open, .output):
            state = .outputClosed
            return .sendCloseNotifyThenCloseOutput
        case (.outputClosed, .all):
            state = .closing
            return .closeNow
        case (.outputClosed, .output):
            return .forward
        case (_, .input):
            return .forward
        }
    }

    enum TransportInputClosedAction: Equatable {
        /// TCP input ended without close_notify: the stream may be truncated; close.
        case closeUnclean
        case none
    }

    /// TCP FIN arrived (`ChannelEvent.inputClosed` from the transport).
    mutating func transportInputClosed() -> TransportInputClosedAction {
        switch state {
        case .handshaking, .open, .outputClosed:
            state = .closing
            return .closeUnclean
        case .idle, .inputClosed, .closing, .closed:
            return .none
        }
    }

    enum InactiveAction: Equatable {
        /// Fail buffered writes, cancel the timer, forward. `unclean`: the session was open
        /// and no close_notify was seen either way.
        case tearDown(unclean: Bool)
    }

    /// The channel went inactive.
    mutating func channelInactive() -> InactiveAction {
        let unclean = state == .open
        state = .closed
        return .tearDown(unclean: unclean)
    }

    /// True while handshaking, for the handler's read-on-demand during the handshake.
    var isHandshaking: Bool {
        if case .handshaking = state { return true }
        return false
    }
}
