import PeerHarness
import Foundation
import Testing

@Suite("BIND test harness", .timeLimit(.minutes(1)))
struct NamedServerHarnessTests {
    @Test("named starts on a free loopback port, accepts Cloud Map style updates and stops by PID")
    func lifecycle() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        #expect(named.isRunning)
        let pid = try #require(named.pid)
        #expect(kill(pid, 0) == 0)
        let task = CloudMapTask(taskID: "task-a", address: "127.0.0.2", port: 8080)
        try await named.register([task])
        try await named.deregister([task])
        try await named.shutDown()
        #expect(!named.isRunning)
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "named (pid \(pid)) is gone")
        try await named.shutDown()  // idempotent
        named.stop()
    }

    @Test("an update that named refuses surfaces as a typed nsupdate failure")
    func refusedUpdate() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        await #expect(throws: NamedServer.Failure.self) {
            try await named.update(add: ["outside.example. 2 IN A 127.0.0.9"])
        }
    }

    @Test("a missing named binary fails with the Debian package to install")
    func missingBinary() async {
        do {
            _ = try await NamedServer.start(namedPath: "/nonexistent/named")
            Issue.record("expected a failure")
        } catch {
            #expect("\(error)" == "/nonexistent/named not found: install the Debian package 'bind9' (apt-get install -y bind9)")
        }
    }
}
