import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import TLSTerm

/// A PKI, three certificates (default, exact, wildcard) and a server context over them.
struct SNIFixture {
    let pki: TestPKI
    let defaultLeaf: TestPKI.Leaf
    let exactLeaf: TestPKI.Leaf
    let wildcardLeaf: TestPKI.Leaf
    let context: TLSServerContext

    init(configure: (inout TLSConfiguration) -> Void = { _ in }) async throws {
        pki = try await TestPKI()
        defaultLeaf = try await pki.issue("default", commonName: "default.test", dnsNames: ["default.test"], serial: 0xD0)
        exactLeaf = try await pki.issue("exact", commonName: "api.example.test", dnsNames: ["api.example.test"], serial: 0xE1)
        wildcardLeaf = try await pki.issue("wild", commonName: "example.test", dnsNames: ["example.test", "*.example.test"], serial: 0xF2)
        var configuration = TLSConfiguration.mozillaIntermediate
        configure(&configuration)
        let store = try CertificateStore(
            sources: [.combinedPEM(defaultLeaf.combined), .combinedPEM(exactLeaf.combined), .pair(certificateChain: wildcardLeaf.fullchain, privateKey: wildcardLeaf.key)],
            configuration: configuration, logger: Logger(label: "test")
        )
        context = try TLSServerContext(certificates: store, logger: Logger(label: "test"))
    }
}

/// `openssl s_client` against 127.0.0.1:port.
func sClient(_ port: Int, _ arguments: [String], input: String = "") async throws -> ExternalTool.Output {
    let openssl = try ExternalTool.require("openssl", debianPackage: "openssl")
    return try await ExternalTool.run(openssl, ["s_client", "-connect", "127.0.0.1:\(port)"] + arguments, input: input)
}

/// The serial of the certificate the server presents for `arguments` (SNI options).
func servedSerial(_ port: Int, _ arguments: [String]) async throws -> String {
    let openssl = try ExternalTool.require("openssl", debianPackage: "openssl")
    let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
    let output = try await ExternalTool.shell("'\(openssl)' s_client -connect 127.0.0.1:\(port) \(quoted) </dev/null 2>/dev/null | '\(openssl)' x509 -noout -serial")
    return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
}

let httpGet = "GET / HTTP/1.1\r\nHost: test\r\n\r\n"

@Suite("Real clients (openssl s_client, curl) against TLSServerHandler on 127.0.0.1")
struct OpenSSLClientIntegrationTests {
    @Test("TLS 1.3: s_client verifies the chain and the handlers after TLS see version, cipher, ALPN and SNI")
    func tls13() async throws {
        let fixture = try await SNIFixture()
        try await withTestServer(fixture.context) { server in
            let output = try await sClient(server.port, ["-servername", "api.example.test", "-tls1_3", "-alpn", "http/1.1",
                                                   "-CAfile", fixture.pki.rootCertificate, "-verify_return_error", "-ign_eof"], input: httpGet)
            #expect(output.stdout.contains("Verify return code: 0 (ok)"))
            #expect(output.stdout.contains("sni=api.example.test alpn=http/1.1 version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384"))
            #expect(server.recorder.queried.first.flatMap { $0 } == server.recorder.sessions.first)
        }
    }

    @Test("TLS 1.2: s_client negotiates an ECDHE AEAD suite from the Mozilla list")
    func tls12() async throws {
        let fixture = try await SNIFixture()
        try await withTestServer(fixture.context) { server in
            let output = try await sClient(server.port, ["-servername", "api.example.test", "-tls1_2", "-CAfile", fixture.pki.rootCertificate,
                                                   "-verify_return_error", "-ign_eof"], input: httpGet)
            #expect(output.stdout.contains("version=TLSv1.2"))
            let session = try #require(server.recorder.sessions.first)
            #expect(session.version == .tls1_2)
            #expect(TLSConfiguration.mozillaIntermediate.tls12CipherSuites.contains(session.cipher))
        }
    }

    @Test("SNI picks the exact name, then the wildcard, then the default certificate")
    func sniSelection() async throws {
        let fixture = try await SNIFixture()
        try await withTestServer(fixture.context) { server in
            let served1 = try await servedSerial(server.port, ["-servername", "api.example.test"])
            #expect(served1 == fixture.exactLeaf.serial)
            let served2 = try await servedSerial(server.port, ["-servername", "www.example.test"])
            #expect(served2 == fixture.wildcardLeaf.serial)
            let served3 = try await servedSerial(server.port, ["-servername", "example.test"])
            #expect(served3 == fixture.wildcardLeaf.serial)
            let served4 = try await servedSerial(server.port, ["-servername", "a.b.example.test"])
            #expect(served4 == fixture.defaultLeaf.serial)
            let served5 = try await servedSerial(server.port, ["-noservername"])
            #expect(served5 == fixture.defaultLeaf.serial)
        }
    }

    @Test("ALPN: http/1.1 is selected from the client's list; a client offering only h2 gets no ALPN but connects")
    func alpn() async throws {
        let fixture = try await SNIFixture()
        try await withTestServer(fixture.context) { server in
            let both = try await sClient(server.port, ["-servername", "default.test", "-alpn", "h2,http/1.1", "-ign_eof"], input: httpGet)
            #expect(both.stdout.contains("ALPN protocol: http/1.1"))
            let h2Only = try await sClient(server.port, ["-servername", "default.test", "-alpn", "h2", "-ign_eof"], input: httpGet)
            #expect(h2Only.stdout.contains("No ALPN negotiated"))
            #expect(h2Only.stdout.contains("alpn=- version=TLSv1.3"))
        }
    }

    @Test("curl verifies the served chain against the test root CA")
    func curlVerifiesChain() async throws {
        let fixture = try await SNIFixture()
        let curl = try ExternalTool.require("curl", debianPackage: "curl")
        try await withTestServer(fixture.context) { server in
            let output = try await ExternalTool.run(curl, ["-sS", "--max-time", "10", "--cacert", fixture.pki.rootCertificate,
                                                     "--resolve", "www.example.test:\(server.port):127.0.0.1",
                                                     "https://www.example.test:\(server.port)/"])
            #expect(output.status == 0, "curl failed: \(output.stderr)")
            #expect(output.stdout.hasPrefix("sni=www.example.test alpn=http/1.1 version=TLSv1.3"))
        }
    }

    @Test("TLS 1.0 and TLS 1.1 clients are refused with a protocol_version alert", arguments: ["-tls1", "-tls1_1"])
    func oldVersionsRefused(flag: String) async throws {
        let fixture = try await SNIFixture()
        try await withTestServer(fixture.context) { server in
            // SECLEVEL=0 lets the client itself offer the old version, so the refusal is the server's.
            let output = try await sClient(server.port, ["-servername", "default.test", flag, "-cipher", "DEFAULT@SECLEVEL=0"], input: httpGet)
            #expect(output.status != 0)
            #expect(output.stderr.contains("alert protocol version"), "\(output.stderr)")
            try await waitUntil { !server.recorder.tlsErrors.isEmpty }
            guard case .handshakeFailed(let reason) = server.recorder.tlsErrors.first else {
                Issue.record("expected handshakeFailed, got \(server.recorder.errors)")
                return
            }
            #expect(reason.contains("unsupported protocol"))
        }
    }

    @Test("with an RSA and an ECDSA certificate for one name, ECDSA-capable clients get ECDSA, RSA-only clients get RSA")
    func ecdsaAndRSA() async throws {
        let pki = try await TestPKI()
        let rsa = try await pki.issue("rsa", commonName: "dual.test", dnsNames: ["dual.test"], keyType: .rsa, serial: 0x5A)
        let ec = try await pki.issue("ec", commonName: "dual.test", dnsNames: ["dual.test"], keyType: .ecdsa, serial: 0x5E)
        let store = try CertificateStore(sources: [.combinedPEM(rsa.combined), .combinedPEM(ec.combined)], logger: Logger(label: "test"))
        let context = try TLSServerContext(certificates: store, logger: Logger(label: "test"))
        try await withTestServer(context) { server in
            let served6 = try await servedSerial(server.port, ["-servername", "dual.test"])
            #expect(served6 == ec.serial)
            let served7 = try await servedSerial(server.port, ["-servername", "dual.test", "-sigalgs", "rsa_pss_rsae_sha256:rsa_pkcs1_sha256"])
            #expect(served7 == rsa.serial)
            let served8 = try await servedSerial(server.port, ["-servername", "dual.test", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"])
            #expect(served8 == rsa.serial)
            let served9 = try await servedSerial(server.port, ["-servername", "dual.test", "-tls1_2"])
            #expect(served9 == ec.serial)
        }
    }

    @Test("s_client resumes with a TLS 1.3 ticket, and a TLS 1.2 client without tickets from the session cache")
    func resumption() async throws {
        let fixture = try await SNIFixture()
        let session = fixture.pki.path("session.pem")
        try await withTestServer(fixture.context) { server in
            _ = try await sClient(server.port, ["-servername", "default.test", "-sess_out", session, "-ign_eof"], input: httpGet)
            let resumed = try await sClient(server.port, ["-servername", "default.test", "-sess_in", session, "-ign_eof"], input: httpGet)
            #expect(resumed.stdout.contains("Reused, TLSv1.3"))
            #expect(resumed.stdout.contains("resumed=true"))
            _ = try await sClient(server.port, ["-servername", "default.test", "-tls1_2", "-no_ticket", "-sess_out", session, "-ign_eof"], input: httpGet)
            let cached = try await sClient(server.port, ["-servername", "default.test", "-tls1_2", "-no_ticket", "-sess_in", session, "-ign_eof"], input: httpGet)
            #expect(cached.stdout.contains("Reused, TLSv1.2"))
        }
    }

    @Test("a certificate renewed on disk: the open connection keeps working, the next handshake gets the new serial")
    func renewalWithOpenConnection() async throws {
        let pki = try await TestPKI()
        let first = try await pki.issue("gen1", commonName: "renew.test", dnsNames: ["renew.test"], serial: 0x101)
        let second = try await pki.issue("gen2", commonName: "renew.test", dnsNames: ["renew.test"], serial: 0x102)
        let live = try pki.installCertbotLineage("renew.test", leaf: first, generation: 1)
        let store = try CertificateStore(sources: [.certbot(liveDirectory: live)], logger: Logger(label: "test"))
        let context = try TLSServerContext(certificates: store, logger: Logger(label: "test"))
        let openssl = try ExternalTool.require("openssl", debianPackage: "openssl")
        try await withTestServer(context) { server in
            let served10 = try await servedSerial(server.port, ["-servername", "renew.test"])
            #expect(served10 == first.serial)
            let held = try InteractiveProcess(openssl, ["s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "renew.test", "-quiet"])
            defer { held.stop() }
            try held.send("before\n")
            #expect(try await held.waitForOutput(containing: "before\n"))

            try pki.installCertbotLineage("renew.test", leaf: second, generation: 2)
            #expect(store.reloadIfChanged() == .reloaded)

            let served11 = try await servedSerial(server.port, ["-servername", "renew.test"])
            #expect(served11 == second.serial)
            try held.send("after\n")
            #expect(try await held.waitForOutput(containing: "after\n"))
        }
    }

    @Test("random bytes on the TLS port close that connection and the server keeps serving")
    func randomBytes() async throws {
        let fixture = try await SNIFixture()
        try await withTestServer(fixture.context) { server in
            for _ in 0..<3 {
                var junk = ByteBuffer()
                junk.writeBytes((0..<4096).map { _ in UInt8.random(in: 0...255) })
                let closed = try await sendRaw(junk, to: server.port, group: server.group)
                #expect(closed, "the server did not close the connection")
            }
            try await waitUntil { server.recorder.tlsErrors.count == 3 }
            #expect(server.recorder.tlsErrors.allSatisfy { if case .handshakeFailed = $0 { true } else { false } })
            let output = try await sClient(server.port, ["-servername", "default.test", "-ign_eof"], input: httpGet)
            #expect(output.stdout.contains("sni=default.test"))
        }
    }
}

/// Polls `condition` for up to 10 s.
func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Connects, writes `bytes`, and reports whether the server closed within 10 s.
func sendRaw(_ bytes: ByteBuffer, to port: Int, group: any EventLoopGroup) async throws -> Bool {
    let channel = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
    try await channel.writeAndFlush(bytes)
    let closed = channel.eventLoop.makePromise(of: Bool.self)
    channel.closeFuture.whenComplete { _ in closed.succeed(true) }
    let timer = channel.eventLoop.scheduleTask(in: .seconds(10)) { closed.succeed(false) }
    let result = try await closed.futureResult.get()
    timer.cancel()
    try? await channel.close()
    return result
}
