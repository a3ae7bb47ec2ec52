import Foundation
import Testing

/// The demo task server as a real process, driven by curl.
@Suite("Hello backend")
struct HelloBackendTests {
    @Test("a task answers with its name and echoes what it received; /health is ok; keep-alive works")
    func answersAndEchoes() async throws {
        let curl = try ExternalTool.locate("curl", package: "curl")
        let task = try PeerProcess(TestPaths.proxydBinary, ["hello-backend", "--name", "task-7"])
        defer { task.stop() }
        let line = try await task.waitForLine(containing: "listening on")
        let address = try #require(line.split(separator: " ").last.map(String.init))

        let page = try await ExternalTool.run(curl, ["-sS", "--noproxy", "*", "-m", "5", "-H", "X-Forwarded-Proto: https", "http://\(address)/hello?x=1"])
        #expect(page.status == 0)
        #expect(page.out.hasPrefix("hello from task-7\nGET /hello?x=1 HTTP/1.1\n"))
        #expect(page.out.contains("X-Forwarded-Proto: https\n"))

        // Two requests on one connection: curl reports reusing it.
        let twice = try await ExternalTool.run(curl, ["-sS", "--noproxy", "*", "-m", "5", "-v", "http://\(address)/health", "http://\(address)/status/503"])
        #expect(twice.out == "ok\nstatus 503 from task-7\n")
        #expect(twice.err.contains("Re-using existing connection") || twice.err.contains("Reusing existing"))
    }

    @Test("SIGKILL stops a task at once, as ECS does")
    func killedLikeATask() async throws {
        let task = try PeerProcess(TestPaths.proxydBinary, ["hello-backend"])
        _ = try await task.waitForLine(containing: "listening on")
        task.kill9()
        #expect(!task.process.isRunning)
        #expect(task.process.terminationReason == .uncaughtSignal)
    }
}
