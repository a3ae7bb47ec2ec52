import Foundation
import Testing

@Suite("BIND test harness", .timeLimit(.minutes(1)))
struct NamedServerHarnessTests {
    @Test("named starts on a free loopback port, accepts Cloud Map style updates and stops by PID")
    func lifecycle() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        #expect(named.isRunning)
        let task = CloudMapTask(taskID: "task-a", address: "127.0.0.2", port: 8080)
        try named.register([task])
        try named.deregister([task])
        named.stop()
        #expect(!named.isRunning)
        named.stop()  // idempotent
    }

    @Test("an update that named refuses surfaces as a typed nsupdate failure")
    func refusedUpdate() async throws {
        let named = try await NamedServer.start()
        defer { named.stop() }
        #expect(throws: NamedServer.Failure.self) {
            try named.update(add: ["outside.example. 2 IN A 127.0.0.9"])
        }
    }
}
