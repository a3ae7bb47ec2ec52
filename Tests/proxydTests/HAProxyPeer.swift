import Foundation

/// Real HAProxy (Debian's 2.6) as the side-by-side peer of the end-to-end suites: started on a
/// configuration file the test wrote, in the foreground (`-db`), with its standard error kept
/// for the failure message, and stopped by PID with the test.
enum HAProxyPeer {
    /// Starts `haproxy -db -f configuration` and waits until every port in `accepting` takes a
    /// TCP connection.
    ///
    /// - Parameter isolatedResolver: run HAProxy in a mount namespace of its own whose
    ///   `/etc/resolv.conf` names 127.0.0.1 (where nothing answers on port 53), for files whose
    ///   `init-addr libc` would otherwise ask the machine's resolver at start.
    static func start(configuration path: String, accepting ports: [Int], isolatedResolver: Bool = false) async throws -> PeerProcess {
        let haproxy = try ExternalTool.locate("haproxy", package: "haproxy")
        let process: PeerProcess
        if isolatedResolver {
            let resolvConf = (path as NSString).deletingLastPathComponent + "/haproxy-resolv.conf"
            try "nameserver 127.0.0.1\n".write(toFile: resolvConf, atomically: true, encoding: .utf8)
            let unshare = try ExternalTool.locate("unshare", package: "util-linux")
            process = try PeerProcess(unshare, [
                "--mount", "--", "/bin/sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec \"$1\" -db -f \"$2\"",
                resolvConf, haproxy.path, path,
            ], readStandardError: true)
        } else {
            process = try PeerProcess(haproxy, ["-db", "-f", path], readStandardError: true)
        }
        process.captureOutput()
        try await waitUntilAccepting(ports, process: process, name: "haproxy")
        return process
    }

    /// Waits until each port of 127.0.0.1 accepts, failing with what `process` wrote when it
    /// exits first or 30 s pass.
    static func waitUntilAccepting(_ ports: [Int], process: PeerProcess, name: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        for port in ports {
            while (try? TestSocket(host: "127.0.0.1", port: port))?.close() == nil {
                guard ContinuousClock.now < deadline, process.process.isRunning else {
                    // Let the output reader take in what an exiting process wrote last.
                    try await Task.sleep(for: .milliseconds(300))
                    process.stop()
                    throw PeerProcess.PeerError.notReady("\(name): nothing accepts on 127.0.0.1:\(port); it said:\n\(process.capturedOutput)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
