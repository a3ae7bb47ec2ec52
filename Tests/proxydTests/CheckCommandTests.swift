import Foundation
import Testing

/// `proxyd check` as an operator runs it: the built binary, a file on disk, exit status and
/// output.
@Suite("proxyd check")
struct CheckCommandTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = TestPaths.proxydBinary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    private func temporaryFile(_ contents: String, name: String = "proxyd.yaml") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("a valid file exits 0 and prints the resolved configuration")
    func validFile() throws {
        let example = TestPaths.repository.appendingPathComponent("examples/ecs.yaml").path
        let result = try run(["check", "--config", example])
        #expect(result.status == 0)
        #expect(result.out.contains("name: _hello-world-service.internal"))
        #expect(result.out.contains("request_head: 10s"))
        #expect(result.err.hasSuffix("configuration is valid\n"))
    }

    @Test("a bad file exits 1 with file:line:column: error lines")
    func badFile() throws {
        let file = try temporaryFile("listeners:\n  - bind: 127.0.0.1:80\n    backend: nope\n")
        let result = try run(["check", "--config", file.path])
        #expect(result.status == 1)
        #expect(result.out.isEmpty)
        #expect(result.err == "\(file.path):2:5: error: listener 'listener-80' sends requests to backend 'nope', which is not defined\n")
    }

    @Test("a missing file names the file and the reason")
    func missingFile() throws {
        let result = try run(["check", "--config", "/nonexistent/proxyd.yaml"])
        #expect(result.status == 1)
        #expect(result.err == "/nonexistent/proxyd.yaml:1: error: cannot read the configuration file: No such file or directory\n")
    }
}
