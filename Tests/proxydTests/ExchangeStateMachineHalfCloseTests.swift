import Testing
@testable import proxyd

/// A client that half-closes (sends its requests, then a FIN): what it completed before the FIN
/// is answered, then the connection closes; what the FIN cut short is handled as HAProxy 2.6
/// handles it (measured with HAProxyHalfCloseTests' peer: a head cut short → 400; a body cut
/// short → closed without an answer).
@Suite("Exchange state machine: client half-close")
struct ExchangeStateMachineHalfCloseTests {
    private let get = ExchangeStateMachine.RequestInfo(isIdempotent: true, hasBody: false, keepAlive: true)
    private let post = ExchangeStateMachine.RequestInfo(isIdempotent: false, hasBody: true, keepAlive: true)

    @Test("a request completed before the FIN is forwarded and answered; the connection closes after its response")
    func answeredThenClosed() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        _ = machine.requestEnd()
        #expect(machine.clientInputClosed() == .none)
        #expect(machine.backendConnected(endpoint: "a", reused: false) == .sendRequestHead)
        #expect(machine.responseHead(status: 200, keepAlive: true) == .forwardResponseHead)
        #expect(machine.responseEnd() == .finishExchange(backendReusable: true, keepClientAlive: true))
        #expect(machine.awaitingRequest() == .closeWhenWritten)
        #expect(machine.isClosed)
    }

    @Test("a FIN while the request is being connected or answered does not cancel it")
    func finWhileForwarding() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        _ = machine.requestEnd()
        _ = machine.backendConnected(endpoint: "a", reused: false)
        _ = machine.responseHead(status: 200, keepAlive: true)
        #expect(machine.clientInputClosed() == .none)
        #expect(machine.responseBody() == .forwardResponseBody)
        #expect(machine.responseEnd() == .finishExchange(backendReusable: true, keepClientAlive: true))
    }

    @Test("pipelined requests after the FIN are all answered: the close waits until none is left")
    func pipelined() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        _ = machine.requestEnd()
        #expect(machine.clientInputClosed() == .none)
        _ = machine.backendConnected(endpoint: "a", reused: false)
        _ = machine.responseHead(status: 200, keepAlive: true)
        #expect(machine.responseEnd() == .finishExchange(backendReusable: true, keepClientAlive: true))
        // The handler replays the queued second request before asking for the next one.
        #expect(machine.requestHead(get, forwardTo: "hello", maxRetries: 2) == .connect(backend: "hello", excluding: [], fresh: false))
        _ = machine.requestEnd()
        _ = machine.backendConnected(endpoint: "a", reused: true)
        _ = machine.responseHead(status: 200, keepAlive: true)
        #expect(machine.responseEnd() == .finishExchange(backendReusable: true, keepClientAlive: true))
        #expect(machine.awaitingRequest() == .closeWhenWritten)
    }

    @Test("a proxy-generated answer (a redirect) is written in full before the half-closed connection closes")
    func localAnswer() {
        var machine = ExchangeStateMachine()
        #expect(machine.answerLocally(status: 301, keepAlive: true) == .respond(status: 301, keepClientAlive: true, releaseBackend: .none))
        #expect(machine.clientInputClosed() == .none)
        #expect(machine.localResponseSent() == .none)
        #expect(machine.awaitingRequest() == .closeWhenWritten)
    }

    @Test("an idle keep-alive connection that gets a FIN closes")
    func idle() {
        var machine = ExchangeStateMachine()
        #expect(machine.clientInputClosed() == .closeWhenWritten)
        #expect(machine.isClosed)
    }

    @Test("without a FIN, asking for the next request changes nothing (keep-alive)")
    func keepAlive() {
        var machine = ExchangeStateMachine()
        #expect(machine.awaitingRequest() == .none)
        #expect(machine.isIdle)
    }

    @Test("a head cut short by the FIN is answered 400 and the connection closed")
    func headCutShort() {
        var machine = ExchangeStateMachine()
        #expect(machine.requestCutShort() == .respond(status: 400, keepClientAlive: false, releaseBackend: .none))
        #expect(machine.localResponseSent() == .abort(closeBackend: false))
    }

    @Test("a body cut short by the FIN closes both connections without an answer")
    func bodyCutShort() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(post, forwardTo: "hello", maxRetries: 2)
        _ = machine.backendConnected(endpoint: "a", reused: false)
        #expect(machine.requestCutShort() == .abort(closeBackend: true))
        #expect(machine.isClosed)
    }

    @Test("a FIN in a tunnel closes both sides, as before")
    func tunnel() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 0)
        _ = machine.requestEnd()
        _ = machine.backendConnected(endpoint: "a", reused: false)
        #expect(machine.responseHead(status: 101, keepAlive: true) == .startTunnel)
        #expect(machine.clientInputClosed() == .abort(closeBackend: true))
    }
}
