import Foundation
import PeerHarness
import TestCorpora
import Testing
import TLSTerm

/// The user's real configuration, `../shared/seed/haproxy.cfg` (Debian's stock haproxy.cfg with
/// the seed document's section appended), rendered for a test rig by changing only addresses,
/// ports and paths — never a directive, an option or a line.
///
/// Every substitution names the exact text it replaces and how often that text occurs in the
/// seed, so an edited seed fails here loudly instead of being tested half-rendered. The line
/// numbers of the rendered file are the seed's own: `haproxy.cfg:74` in a diagnostic is line 74
/// of the user's file.
struct SeedConfiguration {
    /// Where the rig puts things: every value replaces one address, port or path of the seed.
    struct Rig: Sendable {
        /// `bind *:80` becomes `bind 127.0.0.1:httpPort`.
        var httpPort: Int
        /// `bind *:443 ssl crt …` becomes `bind 127.0.0.1:httpsPort ssl crt certificate`.
        var httpsPort: Int
        /// The combined PEM that replaces `/etc/haproxy/certs/yourdomain.com.pem`.
        var certificate: String
        /// `nameserver dns1 10.0.0.2:53` becomes `nameserver dns1 127.0.0.1:nameserverPort`.
        var nameserverPort: Int
        /// Replaces `/run/haproxy/admin.sock`.
        var statsSocket: String
        /// Replaces `/var/lib/haproxy` (the chroot jail).
        var jail: String
        /// Replaces `/dev/log` in both `log` lines: a datagram socket path or `127.0.0.1:PORT`.
        var logTarget: String
    }

    struct SeedChanged: Error, CustomStringConvertible {
        var description: String
    }

    /// The seed file (`shared/seed/haproxy.cfg`, found as the corpora are); nil when this
    /// clone stands alone.
    static let sourcePath: String? = try? SharedCorpora.url("seed/haproxy.cfg").path

    /// The seed's text, exactly as the user's box has it.
    static func original() throws -> String {
        guard let path = sourcePath else { throw SharedCorpora.Missing(relativePath: "seed/haproxy.cfg") }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The seed with the rig's addresses, ports and paths.
    static func render(_ rig: Rig) throws -> String {
        var text = try original()
        let substitutions: [(from: String, to: String, count: Int)] = [
            ("bind *:80\n", "bind 127.0.0.1:\(rig.httpPort)\n", 1),
            ("bind *:443 ssl crt /etc/haproxy/certs/yourdomain.com.pem", "bind 127.0.0.1:\(rig.httpsPort) ssl crt \(rig.certificate)", 1),
            ("nameserver dns1 10.0.0.2:53", "nameserver dns1 127.0.0.1:\(rig.nameserverPort)", 1),
            ("stats socket /run/haproxy/admin.sock", "stats socket \(rig.statsSocket)", 1),
            ("chroot /var/lib/haproxy", "chroot \(rig.jail)", 1),
            ("log /dev/log", "log \(rig.logTarget)", 2),
        ]
        for substitution in substitutions {
            let found = text.components(separatedBy: substitution.from).count - 1
            guard found == substitution.count else {
                throw SeedChanged(description: "the seed changed: expected \(substitution.count) × '\(substitution.from)', found \(found)")
            }
            text = text.replacingOccurrences(of: substitution.from, with: substitution.to)
        }
        return text
    }

    /// The 1-based line of the seed that contains `text` (for expected diagnostics).
    static func line(containing text: String) throws -> Int {
        let lines = try original().split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.contains(text) }) else {
            throw SeedChanged(description: "the seed changed: no line contains '\(text)'")
        }
        return index + 1
    }
}

/// One box as the seed describes it: BIND publishing the ECS tasks of
/// `_hello-world-service.internal`, hello-backend tasks, and a proxy (proxyd or HAProxy) running
/// the rendered seed — chroot, `user haproxy`, the stats socket, syslog — all on 127.0.0.1.
/// Needs root (the seed drops to user `haproxy`) and Debian's `haproxy` package (the user, the
/// error pages in /etc/haproxy/errors, and the peer itself).
final class SeedBox: @unchecked Sendable {
    // @unchecked: set up in `start` and read by the owning test's task only.
    enum Proxy: String, Sendable {
        case proxyd, haproxy
    }

    let kind: Proxy
    let directory: URL
    let rig: SeedConfiguration.Rig
    let configurationPath: String
    let syslog: SyslogReceiver
    private(set) var process: PeerProcess?

    var httpURL: String { "http://127.0.0.1:\(rig.httpPort)" }
    var httpsURL: String { "https://127.0.0.1:\(rig.httpsPort)" }

    /// Renders the seed for a new rig in a directory of its own (a fresh certificate, jail,
    /// socket path and syslog receiver) without starting anything.
    init(_ kind: Proxy, nameserverPort: Int, certificatePEM: String) async throws {
        self.kind = kind
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-seed-\(kind.rawValue)-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("jail"), withIntermediateDirectories: true)
        // The proxy drops to user haproxy; it must still read the certificate (reload) and
        // reach the directory of its socket.
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let certificate = directory.appendingPathComponent("yourdomain.com.pem")
        try certificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: certificate.path)
        syslog = try SyslogReceiver()
        rig = SeedConfiguration.Rig(
            httpPort: try FreeTCPPort.find(), httpsPort: try FreeTCPPort.find(), certificate: certificate.path,
            nameserverPort: nameserverPort, statsSocket: directory.appendingPathComponent("admin.sock").path,
            jail: directory.appendingPathComponent("jail").path, logTarget: "127.0.0.1:\(syslog.port)"
        )
        configurationPath = directory.appendingPathComponent("haproxy.cfg").path
        try SeedConfiguration.render(rig).write(toFile: configurationPath, atomically: true, encoding: .utf8)
    }

    /// Starts the proxy on the rendered seed and waits until both listeners accept.
    func start() async throws {
        let ports = [rig.httpPort, rig.httpsPort]
        switch kind {
        case .proxyd:
            let process = try PeerProcess(TestPaths.proxydBinary, ["run", "--config", configurationPath], readStandardError: true)
            process.captureOutput()
            self.process = process
            try await HAProxyPeer.waitUntilAccepting(ports, process: process, name: "proxyd")
        case .haproxy:
            // `-db` keeps HAProxy in the foreground despite the seed's `daemon` (a command-line
            // flag, not an edit of the file); `init-addr last,libc,none` would ask libc for the
            // SRV name at start, so it runs with a resolver of its own on 127.0.0.1.
            process = try await HAProxyPeer.start(configuration: configurationPath, accepting: ports, isolatedResolver: true)
        }
    }

    /// One runtime API command over the stats socket, answered and closed (non-interactive mode).
    func runtimeCommand(_ command: String) async throws -> String {
        try await RuntimeAPIEndToEndTests.send(command, to: rig.statsSocket)
    }

    func stop() {
        process?.stop()
        syslog.close()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
