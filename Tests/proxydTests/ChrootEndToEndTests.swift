import Foundation
import Testing

/// `chroot` + `user` as the seed's global section writes them: proxyd started as root binds,
/// loads its certificate, enters the jail, drops to nobody and serves HTTPS; a replaced
/// certificate is served without a restart; SIGHUP reloads the file through the directory kept
/// open before the chroot, and a reload naming a certificate outside every kept directory is
/// refused with the reason while the old configuration keeps serving.
@Suite("proxyd chroot", .serialized, .enabled(if: geteuid() == 0, "needs root to chroot"))
struct ChrootEndToEndTests {
    static func configuration(jail: String, certificate: String, port: Int, task: String, extra: String = "") -> String {
        """
        global
            chroot \(jail)
            user nobody
            group nogroup
            ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend www-https
            bind 127.0.0.1:\(port) ssl crt \(certificate)
            default_backend app
        \(extra)
        backend app
            server a1 \(task)

        """
    }

    /// The subject CN of the certificate served on `port`.
    static func servedCommonName(_ port: Int) async throws -> String {
        let openssl = try ExternalTool.locate("openssl", package: "openssl")
        let script = "'\(openssl.path)' s_client -connect 127.0.0.1:\(port) </dev/null 2>/dev/null | '\(openssl.path)' x509 -noout -subject"
        let result = try await ExternalTool.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script], timeout: .seconds(15))
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("chroot + user: HTTPS served from the jail, a replaced certificate served without restart, SIGHUP reloads, a certificate outside the kept directories refuses the reload")
    func chrootedServing() async throws {
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        let task = try await fixture.startTask(name: "task-1")
        // nobody must reach the files after the drop: the test's directories are world-readable.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.directory.path)
        let jail = fixture.directory.appendingPathComponent("jail")
        let certs = fixture.directory.appendingPathComponent("certs")
        let elsewhere = fixture.directory.appendingPathComponent("elsewhere")
        let etc = fixture.directory.appendingPathComponent("etc")
        for directory in [jail, certs, elsewhere, etc] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        let first = try await TLSPolicyEndToEndTests.makeCertificate(in: certs, name: "site.pem", commonName: "first.example")
        let other = try await TLSPolicyEndToEndTests.makeCertificate(in: elsewhere, name: "other.pem", commonName: "other.example")
        for file in [first, other] { try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file) }

        let port = try FreeTCPPort.find()
        let config = etc.appendingPathComponent("haproxy.cfg")
        func write(_ text: String) throws {
            try text.write(to: config, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
        }
        try write(Self.configuration(jail: jail.path, certificate: first, port: port, task: task))

        let proxy = try PeerProcess(TestPaths.proxydBinary, ["run", "--config", config.path, "--threads", "2"], readStandardError: true)
        defer { proxy.stop() }
        // ("chrooted" is logged just before; one read may carry both lines.)
        let user = try await proxy.waitForLine(containing: "running as user")
        #expect(user.contains("running as user nobody"), "\(user)")
        // The process's root is the jail.
        let root = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(proxy.pid)/root")
        #expect(root == jail.path)
        #expect(try await Curl.run(["-k", "https://127.0.0.1:\(port)/"]).out.hasPrefix("hello from task-1"))
        #expect(try await Self.servedCommonName(port).hasSuffix("CN = first.example"))

        // certbot-style replacement (a new file renamed over the old one): served within the
        // watcher's poll and settle (5 s + 5 s), no restart.
        let staging = certs.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let renewed = try await TLSPolicyEndToEndTests.makeCertificate(in: staging, name: "site.pem", commonName: "renewed.example")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: renewed)
        #expect(rename(renewed, first) == 0)
        var served = ""
        let deadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < deadline {
            served = try await Self.servedCommonName(port)
            if served.hasSuffix("CN = renewed.example") { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(served.hasSuffix("CN = renewed.example"), "still served: \(served)")

        // SIGHUP: the file is read again through its directory kept before the chroot.
        let secondPort = try FreeTCPPort.find()
        let sameDirectory = """
            frontend second
                bind 127.0.0.1:\(secondPort) ssl crt \(first)
                default_backend app
            """
        try write(Self.configuration(jail: jail.path, certificate: first, port: port, task: task, extra: sameDirectory))
        kill(proxy.pid, SIGHUP)
        let applied = try await proxy.waitForLine(containing: "] reload ")
        #expect(applied.contains("reload applied"), "\(applied)")
        #expect(try await Curl.run(["-k", "https://127.0.0.1:\(secondPort)/"]).out.hasPrefix("hello from task-1"))

        // A certificate in a directory that was not open before the chroot: refused, logged,
        // the running configuration keeps serving.
        let outside = """
            frontend third
                bind 127.0.0.1:\(try FreeTCPPort.find()) ssl crt \(other)
                default_backend app
            """
        try write(Self.configuration(jail: jail.path, certificate: first, port: port, task: task, extra: outside))
        kill(proxy.pid, SIGHUP)
        let refused = try await proxy.waitForLine(containing: "] reload ")
        #expect(refused.contains("reload refused") && refused.contains("\(other) is outside the chroot \(jail.path)"), "\(refused)")
        #expect(try await Curl.run(["-k", "https://127.0.0.1:\(port)/"]).out.hasPrefix("hello from task-1"))
        #expect(try await Curl.run(["-k", "https://127.0.0.1:\(secondPort)/"]).out.hasPrefix("hello from task-1"))
    }

    @Test("chroot + errorfile: the page's directory is kept open before the chroot, so a SIGHUP reload re-reads a changed page and serves it")
    func chrootedErrorPageReload() async throws {
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.directory.path)
        let jail = fixture.directory.appendingPathComponent("jail")
        let etc = fixture.directory.appendingPathComponent("etc")
        let errors = fixture.directory.appendingPathComponent("errors")
        for directory in [jail, etc, errors] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        let page = errors.appendingPathComponent("503.http")
        func writePage(_ body: String) throws {
            let text = "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n\(body)"
            try text.write(to: page, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: page.path)
        }
        try writePage("first page\n")
        let port = try FreeTCPPort.find()
        let config = etc.appendingPathComponent("haproxy.cfg")
        // A backend whose only server refuses connections: every request gets the 503 page.
        let text = """
            global
                chroot \(jail.path)
                user nobody
                group nogroup
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
                errorfile 503 \(page.path)
            frontend www
                bind 127.0.0.1:\(port)
                default_backend app
            backend app
                server-template srv 1 _none._tcp.invalid resolvers dns init-addr none
            resolvers dns
                nameserver local 127.0.0.1:9

            """
        try text.write(to: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
        let proxy = try PeerProcess(TestPaths.proxydBinary, ["run", "--config", config.path, "--threads", "2"], readStandardError: true)
        defer { proxy.stop() }
        _ = try await proxy.waitForLine(containing: "running as user")
        #expect(try await Curl.run(["http://127.0.0.1:\(port)/"]).out == "first page\n")

        try writePage("second page\n")
        kill(proxy.pid, SIGHUP)
        let applied = try await proxy.waitForLine(containing: "] reload ")
        #expect(applied.contains("reload applied"), "\(applied)")
        #expect(try await Curl.run(["http://127.0.0.1:\(port)/"]).out == "second page\n")
    }
}
