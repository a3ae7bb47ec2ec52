import Foundation
import Testing

/// The seed fixture checked by real HAProxy (`haproxy -c`), so that the file the translation
/// tests pin is one HAProxy itself accepts, not an approximation of one.
@Suite("haproxy.cfg: the fixture as HAProxy reads it")
struct HAProxyPeerTests {
    /// A program on PATH or in /usr/sbin, or a failure naming the Debian package to install.
    private func peer(_ name: String, package: String) throws -> URL {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        for directory in directories {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        Issue.record("\(name) is not installed: install the Debian package '\(package)' (scripts/install-deps does)")
        throw CancellationError()
    }

    /// Runs a program in `directory`, stopping it by PID if it outlives `seconds`.
    private func run(_ program: URL, _ arguments: [String], in directory: URL, seconds: Double = 20) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("\(program.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(seconds)s")
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("haproxy -c accepts the seed fixture (with a throwaway certificate at its relative crt path)")
    func haproxyAcceptsSeed() throws {
        let haproxy = try peer("haproxy", package: "haproxy")
        let openssl = try peer("openssl", package: "openssl")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("certs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=yourdomain.com", "-keyout", "key.pem", "-out", "cert.pem",
        ], in: directory)
        try #require(certificate.status == 0, "openssl req failed: \(certificate.output)")
        let combined = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
            + String(contentsOf: directory.appendingPathComponent("key.pem"), encoding: .utf8)
        try combined.write(to: directory.appendingPathComponent("certs/yourdomain.pem"), atomically: true, encoding: .utf8)

        let check = try run(haproxy, ["-c", "-f", HAProxyTestFiles.seedPath], in: directory)
        #expect(check.status == 0, "haproxy -c refused the fixture: \(check.output)")
        #expect(check.output.contains("Configuration file is valid"))
    }
}
