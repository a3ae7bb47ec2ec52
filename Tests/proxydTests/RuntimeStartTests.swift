import Logging
import NIOPosix
import Testing
@testable import proxyd

/// The runtime between binding its listeners and `run()`: the process has started accepting
/// (the listening line is out, the privilege drop and service start-up are still to come), so
/// what it accepts must already be held to the client timeouts.
@Suite("ProxyRuntime before run()")
struct RuntimeStartTests {
    @Test("a connection accepted before run() is cut at the request-head timeout")
    func timeoutsFromFirstBind() async throws {
        let port = try FreeTCPPort.find()
        let yaml = """
            backends:
              a: { servers: ["127.0.0.1:9"] }
            listeners:
              - name: web
                bind: 127.0.0.1:\(port)
                backend: a
            timeouts: { request_head: 300ms }
            """
        let configuration = try YAMLConfigurationLoader.load(yaml: yaml, file: "runtime.yaml").configuration
        let runtime = try ProxyRuntime(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton,
                                       logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await runtime.bindListeners()
        let client = try TestSocket(host: "127.0.0.1", port: port)
        try client.send("GET / HTTP/1.1\r\nHost: exam")
        let answer = try await client.receiveAll(timeout: .seconds(10))
        await runtime.shutdown()
        #expect(answer.hasPrefix("HTTP/1.1 408 "), "got: \(answer.debugDescription)")
    }
}
