import Testing
@testable import proxyd

/// The forwarding rules of one client connection, driven without sockets.
@Suite("Exchange state machine")
struct ExchangeStateMachineTests {
    typealias Action = ExchangeStateMachine.Action
    private let get = ExchangeStateMachine.RequestInfo(isIdempotent: true, hasBody: false, keepAlive: true)
    private let post = ExchangeStateMachine.RequestInfo(isIdempotent: false, hasBody: true, keepAlive: true)

    @Test("a keep-alive GET is forwarded, the backend is pooled and the client kept")
    func happyPath() {
        var machine = ExchangeStateMachine()
        #expect(machine.requestHead(get, forwardTo: "hello", maxRetries: 2) == .connect(backend: "hello", excluding: [], fresh: false))
        #expect(machine.requestEnd() == .pauseClientReads)
        #expect(machine.backendConnected(endpoint: "a", reused: false) == .sendRequestHead)
        #expect(machine.responseHead(status: 200, keepAlive: true) == .forwardResponseHead)
        #expect(machine.responseBody() == .forwardResponseBody)
        #expect(machine.responseEnd() == .finishExchange(backendReusable: true, keepClientAlive: true))
        #expect(machine.isIdle)
    }

    @Test("a refused connection is retried on other endpoints, then answered 502")
    func connectRetries() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(post, forwardTo: "hello", maxRetries: 2)
        #expect(machine.backendConnectFailed(endpoint: "a", timedOut: false) == .connect(backend: "hello", excluding: ["a"], fresh: false))
        #expect(machine.backendConnectFailed(endpoint: "b", timedOut: false) == .connect(backend: "hello", excluding: ["a", "b"], fresh: false))
        #expect(machine.backendConnectFailed(endpoint: "c", timedOut: false) == .respond(status: 502, keepClientAlive: false, releaseBackend: .none))
    }

    @Test("running out of endpoints after a refused connection is a 502, not a 503")
    func exhaustedAfterFailure() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        _ = machine.requestEnd()
        #expect(machine.backendConnectFailed(endpoint: "a", timedOut: false) == .connect(backend: "hello", excluding: ["a"], fresh: false))
        #expect(machine.backendConnectFailed(endpoint: nil, timedOut: false) == .respond(status: 502, keepClientAlive: true, releaseBackend: .none))
    }

    @Test("no endpoint to pick is a 503; a connect timeout after the last retry is a 504")
    func noEndpointAndTimeout() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 0)
        _ = machine.requestEnd()
        #expect(machine.backendConnectFailed(endpoint: nil, timedOut: false) == .respond(status: 503, keepClientAlive: true, releaseBackend: .none))
        #expect(machine.localResponseSent() == .none)
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 0)
        _ = machine.requestEnd()
        #expect(machine.backendConnectFailed(endpoint: "a", timedOut: true) == .respond(status: 504, keepClientAlive: true, releaseBackend: .none))
    }

    @Test("a reused connection that dies before the response is retried once, fresh, for an idempotent request")
    func staleConnectionRetry() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        _ = machine.requestEnd()
        _ = machine.backendConnected(endpoint: "a", reused: true)
        #expect(machine.backendFailed(timedOut: false) == .connect(backend: "hello", excluding: [], fresh: true))
        _ = machine.backendConnected(endpoint: "a", reused: false)
        #expect(machine.backendFailed(timedOut: false) == .connect(backend: "hello", excluding: ["a"], fresh: false))
    }

    @Test("an idempotent request whose task died mid-request is retried on other endpoints, within the budget")
    func killedTaskRetry() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 1)
        _ = machine.requestEnd()
        _ = machine.backendConnected(endpoint: "a", reused: false)
        #expect(machine.backendFailed(timedOut: false) == .connect(backend: "hello", excluding: ["a"], fresh: false))
        _ = machine.backendConnected(endpoint: "b", reused: false)
        #expect(machine.backendFailed(timedOut: false) == .respond(status: 502, keepClientAlive: true, releaseBackend: .close))
    }

    @Test("a POST on a reused connection that dies is not replayed: 502")
    func nonIdempotentNotRetried() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(post, forwardTo: "hello", maxRetries: 2)
        _ = machine.backendConnected(endpoint: "a", reused: true)
        #expect(machine.requestBody() == .sendRequestBody)
        #expect(machine.requestEnd() == .sendRequestEnd)
        #expect(machine.backendFailed(timedOut: false) == .respond(status: 502, keepClientAlive: true, releaseBackend: .close))
    }

    @Test("a backend failure after the response started can only close the client")
    func failureAfterResponseStarted() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        _ = machine.requestEnd()
        _ = machine.backendConnected(endpoint: "a", reused: true)
        _ = machine.responseHead(status: 200, keepAlive: true)
        #expect(machine.backendFailed(timedOut: false) == .abort(closeBackend: true))
        #expect(machine.isClosed)
    }

    @Test("a response that ends before the request body was sent closes both connections")
    func earlyResponse() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(post, forwardTo: "hello", maxRetries: 2)
        _ = machine.backendConnected(endpoint: "a", reused: false)
        _ = machine.responseHead(status: 413, keepAlive: true)
        #expect(machine.responseEnd() == .finishExchange(backendReusable: false, keepClientAlive: false))
    }

    @Test("Connection: close from either side ends keep-alive")
    func connectionClose() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        _ = machine.requestEnd()
        _ = machine.backendConnected(endpoint: "a", reused: false)
        _ = machine.responseHead(status: 200, keepAlive: false)
        #expect(machine.responseEnd() == .finishExchange(backendReusable: false, keepClientAlive: false))

        var closing = ExchangeStateMachine()
        _ = closing.requestHead(.init(isIdempotent: true, hasBody: false, keepAlive: false), forwardTo: "hello", maxRetries: 2)
        _ = closing.requestEnd()
        _ = closing.backendConnected(endpoint: "a", reused: false)
        _ = closing.responseHead(status: 200, keepAlive: true)
        #expect(closing.responseEnd() == .finishExchange(backendReusable: true, keepClientAlive: false))
    }

    @Test("100 Continue is passed on without ending the exchange; 101 starts a tunnel")
    func informational() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(post, forwardTo: "hello", maxRetries: 2)
        _ = machine.backendConnected(endpoint: "a", reused: false)
        #expect(machine.responseHead(status: 100, keepAlive: true) == .forwardResponseHead)
        #expect(machine.backendFailed(timedOut: false) == .respond(status: 502, keepClientAlive: false, releaseBackend: .close))

        var upgrade = ExchangeStateMachine()
        _ = upgrade.requestHead(get, forwardTo: "ws", maxRetries: 2)
        _ = upgrade.requestEnd()
        _ = upgrade.backendConnected(endpoint: "a", reused: false)
        #expect(upgrade.responseHead(status: 101, keepAlive: true) == .startTunnel)
        #expect(upgrade.clientClosed() == .abort(closeBackend: true))
    }

    @Test("a pipelined head during an exchange pauses the client; the client leaving aborts the backend")
    func pipeliningAndClientGone() {
        var machine = ExchangeStateMachine()
        _ = machine.requestHead(get, forwardTo: "hello", maxRetries: 2)
        #expect(machine.requestHead(get, forwardTo: "hello", maxRetries: 2) == .pauseClientReads)
        #expect(machine.clientClosed() == .abort(closeBackend: true))
        #expect(machine.clientClosed() == .none)
    }

    @Test("a local answer keeps the connection only when asked to")
    func localAnswers() {
        var machine = ExchangeStateMachine()
        #expect(machine.answerLocally(status: 301, keepAlive: true) == .respond(status: 301, keepClientAlive: true, releaseBackend: .none))
        #expect(machine.localResponseSent() == .none)
        #expect(machine.isIdle)
        #expect(machine.answerLocally(status: 400, keepAlive: false) == .respond(status: 400, keepClientAlive: false, releaseBackend: .none))
        #expect(machine.localResponseSent() == .abort(closeBackend: false))
        #expect(machine.isClosed)
    }
}
