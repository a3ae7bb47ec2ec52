import Foundation
import Testing

/// The seed's TLS policy (`ssl-default-bind-ciphers`, `-ciphersuites`,
/// `-options ssl-min-ver TLSv1.2 no-tls-tickets`) and a bind's `ssl-max-ver TLSv1.2`, served by
/// proxyd and by HAProxy 2.6 from the same haproxy.cfg (ports aside), judged by
/// `openssl s_client`: both must answer each handshake the same way.
@Suite("TLS policy end to end: proxyd and HAProxy side by side", .serialized)
struct TLSPolicyEndToEndTests {
    /// The same file for both servers: a default bind and one capped at TLS 1.2.
    static func configuration(certificate: String, port: Int, cappedPort: Int) -> String {
        """
        global
            ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384
            ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
            ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend www-https
            bind 127.0.0.1:\(port) ssl crt \(certificate)
            default_backend app
        frontend capped
            bind 127.0.0.1:\(cappedPort) ssl crt \(certificate) ssl-max-ver TLSv1.2
            default_backend app
        backend app
            server a1 127.0.0.1:9

        """
    }

    /// A throwaway P-256 certificate and key in one PEM (HAProxy's `crt`).
    static func makeCertificate(in directory: URL, name: String = "site.pem", commonName: String = "a.example.com") async throws -> String {
        let openssl = try ExternalTool.locate("openssl", package: "openssl")
        let result = try await ExternalTool.run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=\(commonName)", "-keyout", "key.pem", "-out", "cert.pem",
        ], in: directory)
        try #require(result.status == 0, "openssl req failed: \(result.err)")
        let combined = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
            + String(contentsOf: directory.appendingPathComponent("key.pem"), encoding: .utf8)
        let path = directory.appendingPathComponent(name).path
        try combined.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// One `openssl s_client` handshake (no input, so it ends after the handshake); everything
    /// it printed, standard error included.
    static func handshake(_ port: Int, _ arguments: String) async throws -> String {
        let openssl = try ExternalTool.locate("openssl", package: "openssl")
        let shell = URL(fileURLWithPath: "/bin/sh")
        let result = try await ExternalTool.run(shell, ["-c", "'\(openssl.path)' s_client -connect 127.0.0.1:\(port) \(arguments) </dev/null 2>&1"], timeout: .seconds(15))
        return result.out
    }

    /// The suite `Cipher is X` names: `(NONE)` when the handshake failed.
    static func cipher(_ output: String) -> String? {
        guard let range = output.range(of: #"Cipher is [^\s]+"#, options: .regularExpression) else { return nil }
        return String(output[range].dropFirst("Cipher is ".count))
    }

    /// Waits until a plain TLS 1.2 handshake succeeds on `port` (the server is up).
    static func waitUntilServing(_ port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let suite = cipher(try await handshake(port, "-tls1_2")), suite != "(NONE)" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("nothing served TLS on 127.0.0.1:\(port)")
        throw CancellationError()
    }

    @Test("TLS 1.1 refused, a cipher outside the list refused, the server's order chosen, no TLS 1.2 ticket, ssl-max-ver TLSv1.2 refuses a TLS 1.3-only client — by proxyd exactly as by HAProxy")
    func sideBySide() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try await Self.makeCertificate(in: directory)

        let proxydPorts = (try FreeTCPPort.find(), try FreeTCPPort.find())
        let haproxyPorts = (try FreeTCPPort.find(), try FreeTCPPort.find())
        let proxydFile = directory.appendingPathComponent("proxyd.cfg")
        let haproxyFile = directory.appendingPathComponent("haproxy.cfg")
        try Self.configuration(certificate: certificate, port: proxydPorts.0, cappedPort: proxydPorts.1).write(to: proxydFile, atomically: true, encoding: .utf8)
        try Self.configuration(certificate: certificate, port: haproxyPorts.0, cappedPort: haproxyPorts.1).write(to: haproxyFile, atomically: true, encoding: .utf8)

        let proxyd = try PeerProcess(TestPaths.proxydBinary, ["run", "--config", proxydFile.path, "--threads", "2"], readStandardError: true)
        defer { proxyd.stop() }
        let reference = try await HAProxyPeer.start(configuration: haproxyFile.path, accepting: [haproxyPorts.0, haproxyPorts.1])
        defer { reference.stop() }
        try await Self.waitUntilServing(proxydPorts.0)

        for (server, ports) in [("proxyd", proxydPorts), ("haproxy", haproxyPorts)] {
            // ssl-min-ver TLSv1.2: a TLS 1.1 client (allowed by its own side) gets protocol_version.
            let old = try await Self.handshake(ports.0, "-tls1_1 -cipher DEFAULT@SECLEVEL=0")
            #expect(Self.cipher(old) == "(NONE)" && old.contains("alert protocol version"), "\(server): \(old)")

            // A suite outside ssl-default-bind-ciphers: handshake_failure.
            let outside = try await Self.handshake(ports.0, "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256")
            #expect(Self.cipher(outside) == "(NONE)" && outside.contains("alert handshake failure"), "\(server): \(outside)")

            // HAProxy prefers the server's order: the client lists AES-256 first, gets AES-128.
            let ordered = try await Self.handshake(ports.0, "-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256")
            #expect(Self.cipher(ordered) == "ECDHE-ECDSA-AES128-GCM-SHA256", "\(server): \(ordered)")

            // no-tls-tickets: a full TLS 1.2 session, and no ticket in it.
            let session = try await Self.handshake(ports.0, "-tls1_2")
            #expect(session.contains("SSL-Session:") && Self.cipher(session) != "(NONE)", "\(server): \(session)")
            #expect(!session.contains("TLS session ticket"), "\(server) issued a ticket: \(session)")

            // TLS 1.3 on the default bind, refused on the one capped at TLS 1.2.
            let thirteen = try await Self.handshake(ports.0, "-tls1_3")
            #expect(Self.cipher(thirteen) == "TLS_AES_128_GCM_SHA256", "\(server): \(thirteen)")
            let capped = try await Self.handshake(ports.1, "-tls1_3")
            #expect(Self.cipher(capped) == "(NONE)" && capped.contains("alert protocol version"), "\(server): \(capped)")
            let cappedTwelve = try await Self.handshake(ports.1, "-tls1_2")
            #expect(Self.cipher(cappedTwelve) == "ECDHE-ECDSA-AES128-GCM-SHA256", "\(server): \(cappedTwelve)")
        }
    }
}
