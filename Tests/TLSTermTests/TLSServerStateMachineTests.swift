import Testing
@testable import TLSTerm

@Suite("TLSServerStateMachine: connection lifecycle without a channel")
struct TLSServerStateMachineTests {
    private func open(halfClosure: Bool = false) -> TLSServerStateMachine {
        var machine = TLSServerStateMachine(allowHalfClosure: halfClosure)
        _ = machine.channelActive()
        _ = machine.handshakeCompleted()
        return machine
    }

    @Test("writes before the handshake completes are buffered")
    func buffersDuringHandshake() {
        var machine = TLSServerStateMachine(allowHalfClosure: false)
        #expect(machine.channelActive() == .startHandshake)
        #expect(machine.write() == .buffer)
    }

    @Test("a flush during the handshake is replayed after it")
    func deferredFlush() {
        var machine = TLSServerStateMachine(allowHalfClosure: false)
        _ = machine.channelActive()
        #expect(machine.flush() == .deferred)
        #expect(machine.handshakeCompleted() == .publish(flushBufferedWrites: true))
    }

    @Test("the handshake timeout closes only while handshaking")
    func timeoutOnlyWhileHandshaking() {
        var handshaking = TLSServerStateMachine(allowHalfClosure: false)
        _ = handshaking.channelActive()
        #expect(handshaking.failed(.handshakeTimeout) == .closeWithError(.handshakeTimeout))
        var established = open()
        #expect(established.failed(.handshakeTimeout) == .none)
    }

    @Test("the peer's close_notify is answered and closes, without half-closure")
    func closeNotifyCloses() {
        var machine = open()
        #expect(machine.closeNotifyReceived() == .replyAndClose)
        #expect(machine.write() == .fail(.closed))
    }

    @Test("with half-closure the peer's close_notify only ends input; writes still go out")
    func halfClosure() {
        var machine = open(halfClosure: true)
        #expect(machine.closeNotifyReceived() == .fireInputClosed)
        #expect(machine.write() == .encrypt)
        #expect(machine.ciphertextReceived() == .discard)
        #expect(machine.close(.output) == .sendCloseNotifyThenClose)
    }

    @Test("close(.output) sends close_notify and keeps reading until the peer's")
    func outputClose() {
        var machine = open()
        #expect(machine.close(.output) == .sendCloseNotifyThenCloseOutput)
        #expect(machine.write() == .fail(.outputClosed))
        #expect(machine.ciphertextReceived() == .decrypt)
        #expect(machine.closeNotifyReceived() == .close)
    }

    @Test("close during the handshake closes at once (no session to end politely)")
    func closeDuringHandshake() {
        var machine = TLSServerStateMachine(allowHalfClosure: false)
        _ = machine.channelActive()
        #expect(machine.close(.all) == .closeNow)
    }

    @Test("close of an open session sends close_notify first")
    func closeOpen() {
        var machine = open()
        #expect(machine.close(.all) == .sendCloseNotifyThenClose)
        #expect(machine.close(.all) == .forward)
    }

    @Test("TCP FIN without close_notify is an unclean close")
    func truncation() {
        var machine = open()
        #expect(machine.transportInputClosed() == .closeUnclean)
    }

    @Test("after the channel is inactive, writes and closes fail")
    func inactive() {
        var machine = open()
        #expect(machine.channelInactive() == .tearDown(unclean: true))
        #expect(machine.write() == .fail(.closed))
        #expect(machine.close(.all) == .failAlreadyClosed)
        #expect(machine.ciphertextReceived() == .discard)
    }
}
