import Foundation
import Glibc
import Logging
import Testing
@testable import TLSTerm

@Suite("CertificateStore loads HAProxy and certbot layouts and indexes by SAN")
struct CertificateStoreLoadingTests {
    @Test("a combined PEM with key, intermediate and leaf in any order loads; the leaf is the key's certificate")
    func combinedAnyOrder() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("site", commonName: "site.test", dnsNames: ["site.test", "www.site.test"], serial: 0x1001)
        let store = try CertificateStore(sources: [.combinedPEM(leaf.combined)], logger: Logger(label: "test"))
        let info = try #require(store.certificates.first)
        #expect(info.serialNumber == "1001")
        #expect(info.serverNames == ["site.test", "www.site.test"])
        #expect(info.chainLength == 1)
        #expect(info.keyType == .ecdsa)
        #expect(info.files == [leaf.combined])
    }

    @Test("a certbot live/ directory is read through its symlinks")
    func certbotLive() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("le", commonName: "le.test", dnsNames: ["le.test", "*.le.test"], serial: 0x2001)
        let live = try pki.installCertbotLineage("le.test", leaf: leaf, generation: 1)
        let store = try CertificateStore(sources: [.certbot(liveDirectory: live)], logger: Logger(label: "test"))
        #expect(store.certificates.map(\.serialNumber) == ["2001"])
        #expect(store.certificates.first?.files == [live + "/fullchain.pem", live + "/privkey.pem"])
        #expect(store.context(forServerName: "www.le.test") === store.context(forServerName: "le.test"))
    }

    @Test("a directory loads certbot lineages and combined PEM files, in name order")
    func directory() async throws {
        let pki = try await TestPKI()
        let a = try await pki.issue("a", commonName: "a.test", dnsNames: ["a.test"], serial: 0xA)
        let b = try await pki.issue("b", commonName: "b.test", dnsNames: ["b.test"], serial: 0xB)
        try pki.installCertbotLineage("b.test", leaf: b, generation: 1)
        try FileManager.default.copyItem(atPath: a.combined, toPath: pki.path("letsencrypt/live/a.pem"))
        try pki.write("certbot's README\n", to: "letsencrypt/live/README")
        let store = try CertificateStore(sources: [.directory(pki.path("letsencrypt/live"))], logger: Logger(label: "test"))
        #expect(store.certificates.map(\.serialNumber) == ["0A", "0B"])
    }

    @Test("subjectAltName names are indexed and the CN is ignored when a SAN exists")
    func sanOverCN() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("san", commonName: "cn-only.test", dnsNames: ["san.test"], serial: 0x3001)
        let store = try CertificateStore(sources: [.combinedPEM(leaf.combined)], logger: Logger(label: "test"))
        #expect(store.certificates.first?.serverNames == ["san.test"])
    }

    @Test("the CN is the name when the certificate has no subjectAltName")
    func cnFallback() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("cn", commonName: "Legacy.Test", dnsNames: nil, serial: 0x3002)
        let store = try CertificateStore(sources: [.combinedPEM(leaf.combined)], logger: Logger(label: "test"))
        #expect(store.certificates.first?.serverNames == ["legacy.test"])
    }

    @Test("an expired certificate loads, logs a warning and is reported as expired")
    func expired() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("old", commonName: "old.test", dnsNames: ["old.test"], serial: 0x4001, expired: true)
        let logs = CapturedLogs()
        let store = try CertificateStore(sources: [.combinedPEM(leaf.combined)], logger: logs.logger())
        #expect(store.expiredCertificates.map(\.serialNumber) == ["4001"])
        #expect(store.certificates.first?.notAfter == 1_580_515_200)  // 2020-02-01T00:00:00Z
        #expect(logs.all.contains { $0.level == .warning && $0.message == "certificate has expired; serving it anyway" && $0.metadata.contains(leaf.combined) })
    }

    @Test("RSA and ECDSA certificates for one name share one context")
    func dualKeyTypes() async throws {
        let pki = try await TestPKI()
        let ec = try await pki.issue("ec", commonName: "dual.test", dnsNames: ["dual.test"], keyType: .ecdsa, serial: 0x5001)
        let rsa = try await pki.issue("rsa", commonName: "dual.test", dnsNames: ["dual.test"], keyType: .rsa, serial: 0x5002)
        let store = try CertificateStore(sources: [.combinedPEM(rsa.combined), .combinedPEM(ec.combined)], logger: Logger(label: "test"))
        #expect(Set(store.certificates.map(\.keyType)) == [.rsa, .ecdsa])
        #expect(store.context(forServerName: "dual.test") === store.context(forServerName: nil))
    }
}

@Suite("CertificateStore names the file and the problem of a bad certificate")
struct CertificateStoreErrorTests {
    private func load(_ source: CertificateSource) throws {
        _ = try CertificateStore(sources: [source], logger: Logger(label: "test"))
    }

    @Test("a key that does not match the certificate")
    func keyMismatch() async throws {
        let pki = try await TestPKI()
        let one = try await pki.issue("one", commonName: "one.test", dnsNames: ["one.test"], serial: 1)
        let two = try await pki.issue("two", commonName: "two.test", dnsNames: ["two.test"], serial: 2)
        #expect(throws: CertificateLoadError(file: two.key, problem: .keyDoesNotMatchCertificate)) {
            try load(.pair(certificateChain: one.fullchain, privateKey: two.key))
        }
    }

    @Test("an encrypted PKCS#8 key")
    func encryptedKey() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("enc", commonName: "enc.test", dnsNames: ["enc.test"], serial: 1)
        try await pki.runOpenSSL(["pkcs8", "-topk8", "-in", leaf.key, "-out", "enc.encrypted.key", "-passout", "pass:secret", "-v2", "aes-256-cbc"])
        #expect(throws: CertificateLoadError(file: pki.path("enc.encrypted.key"), problem: .encryptedPrivateKey)) {
            try load(.pair(certificateChain: leaf.fullchain, privateKey: pki.path("enc.encrypted.key")))
        }
    }

    @Test("a legacy encrypted key (Proc-Type: 4,ENCRYPTED)")
    func legacyEncryptedKey() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("legacy", commonName: "legacy.test", dnsNames: ["legacy.test"], keyType: .rsa, serial: 1)
        try await pki.runOpenSSL(["rsa", "-in", leaf.key, "-traditional", "-aes128", "-passout", "pass:secret", "-out", "legacy.encrypted.key"])
        #expect(throws: CertificateLoadError(file: pki.path("legacy.encrypted.key"), problem: .encryptedPrivateKey)) {
            try load(.pair(certificateChain: leaf.fullchain, privateKey: pki.path("legacy.encrypted.key")))
        }
    }

    @Test("a file that does not exist is unreadable with ENOENT")
    func missingFile() async throws {
        #expect(throws: CertificateLoadError(file: "/nonexistent/site.pem", problem: .unreadable(errno: ENOENT))) {
            try load(.combinedPEM("/nonexistent/site.pem"))
        }
    }

    @Test("a directory given as a file is unreadable with EISDIR")
    func directoryAsFile() async throws {
        let pki = try await TestPKI()
        #expect(throws: CertificateLoadError(file: pki.directory, problem: .unreadable(errno: EISDIR))) {
            try load(.combinedPEM(pki.directory))
        }
    }

    @Test("malformed PEM reports the line")
    func malformedPEM() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("trunc", commonName: "trunc.test", dnsNames: ["trunc.test"], serial: 1)
        let text = try pki.read("trunc.combined.pem")
        // Cut the file in the middle of its last block, as an interrupted copy would.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let cut = lines.prefix(lines.count - 4).joined(separator: "\n") + "\n"
        try pki.write(cut, to: "trunc.cut.pem")
        let lastBegin = (lines.lastIndex { $0.hasPrefix("-----BEGIN CERTIFICATE-----") } ?? 0) + 1
        #expect(throws: CertificateLoadError(file: pki.path("trunc.cut.pem"), problem: .malformedPEM(line: lastBegin, reason: "BEGIN CERTIFICATE has no END line"))) {
            try load(.combinedPEM(pki.path("trunc.cut.pem")))
        }
        _ = leaf
    }

    @Test("well-formed base64 that is not a certificate is undecodable, with its line")
    func undecodable() async throws {
        let pki = try await TestPKI()
        try pki.write("# junk\n-----BEGIN CERTIFICATE-----\nQUJDRA==\n-----END CERTIFICATE-----\n", to: "junk.pem")
        let error = try #require(throws: CertificateLoadError.self) { try load(.combinedPEM(pki.path("junk.pem"))) }
        guard case .undecodableBlock(line: 2, label: "CERTIFICATE", _) = error.problem else {
            Issue.record("unexpected problem \(error.problem)")
            return
        }
        #expect(error.file == pki.path("junk.pem"))
    }

    @Test("a file with only a key has no certificate")
    func noCertificate() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("k", commonName: "k.test", dnsNames: ["k.test"], serial: 1)
        #expect(throws: CertificateLoadError(file: leaf.key, problem: .noCertificate)) {
            try load(.combinedPEM(leaf.key))
        }
    }

    @Test("a file with only certificates has no private key")
    func noKey() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("c", commonName: "c.test", dnsNames: ["c.test"], serial: 1)
        #expect(throws: CertificateLoadError(file: leaf.fullchain, problem: .noPrivateKey)) {
            try load(.combinedPEM(leaf.fullchain))
        }
    }

    @Test("the error message names the file and the problem")
    func message() {
        let error = CertificateLoadError(file: "/etc/haproxy/site.pem", problem: .keyDoesNotMatchCertificate)
        #expect("\(error)" == "/etc/haproxy/site.pem has a private key that does not match the certificate")
    }
}

@Suite("CertificateStore reloads atomically and keeps the old certificates on a bad file")
struct CertificateStoreReloadTests {
    @Test("certbot swapping live/ symlinks is detected and loaded")
    func certbotRenewal() async throws {
        let pki = try await TestPKI()
        let first = try await pki.issue("r1", commonName: "r.test", dnsNames: ["r.test"], serial: 0x11)
        let second = try await pki.issue("r2", commonName: "r.test", dnsNames: ["r.test"], serial: 0x12)
        let live = try pki.installCertbotLineage("r.test", leaf: first, generation: 1)
        let store = try CertificateStore(sources: [.certbot(liveDirectory: live)], logger: Logger(label: "test"))
        #expect(store.reloadIfChanged() == .unchanged)
        try pki.installCertbotLineage("r.test", leaf: second, generation: 2)
        #expect(store.reloadIfChanged() == .reloaded)
        #expect(store.certificates.map(\.serialNumber) == ["12"])
        #expect(store.status.generation == 2)
    }

    @Test("a bad new file keeps the old certificate serving, logs and reports the error once")
    func badFileKeepsOld() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("keep", commonName: "keep.test", dnsNames: ["keep.test"], serial: 0x21)
        let other = try await pki.issue("other", commonName: "other.test", dnsNames: ["other.test"], serial: 0x22)
        let path = pki.path("site.pem")
        try FileManager.default.copyItem(atPath: leaf.combined, toPath: path)
        let logs = CapturedLogs()
        let store = try CertificateStore(sources: [.combinedPEM(path)], logger: logs.logger())
        let before = store.context(forServerName: "keep.test")
        // A new certificate with the old key: does not match.
        try pki.write(try pki.read("keep.key") + (try pki.read("other.crt")), to: "site.pem")
        let expected = CertificateLoadError(file: path, problem: .keyDoesNotMatchCertificate)
        #expect(store.reloadIfChanged() == .failed(expected))
        #expect(store.certificates.map(\.serialNumber) == ["21"])
        #expect(store.context(forServerName: "keep.test") === before)
        #expect(store.status.lastError == expected)
        #expect(store.status.failedReloads == 1)
        #expect(store.reloadIfChanged() == .unchanged)
        #expect(logs.all.filter { $0.level == .error }.count == 1)
        _ = other
    }

    @Test("reload() re-reads even when nothing changed, and throws the exact error on a bad file")
    func explicitReload() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("x", commonName: "x.test", dnsNames: ["x.test"], serial: 0x31)
        let path = pki.path("x.pem")
        try FileManager.default.copyItem(atPath: leaf.combined, toPath: path)
        let store = try CertificateStore(sources: [.combinedPEM(path)], logger: Logger(label: "test"))
        try store.reload()
        #expect(store.status.generation == 2)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: CertificateLoadError(file: path, problem: .unreadable(errno: ENOENT))) { try store.reload() }
        #expect(store.certificates.map(\.serialNumber) == ["31"])
    }

    @Test("concurrent reloads (SIGHUP while the watcher loads) are serialised: each one counts")
    func concurrentReloads() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("c", commonName: "c.test", dnsNames: ["c.test"], serial: 0x51)
        let store = try CertificateStore(sources: [.combinedPEM(leaf.combined)], logger: Logger(label: "test"))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try? store.reload() } }
        }
        #expect(store.status.generation == 9)
        #expect(store.certificates.map(\.serialNumber) == ["51"])
    }

    @Test("watch(every:) picks up a renewal by itself")
    func watchLoop() async throws {
        let pki = try await TestPKI()
        let first = try await pki.issue("w1", commonName: "w.test", dnsNames: ["w.test"], serial: 0x41)
        let second = try await pki.issue("w2", commonName: "w.test", dnsNames: ["w.test"], serial: 0x42)
        let live = try pki.installCertbotLineage("w.test", leaf: first, generation: 1)
        let store = try CertificateStore(sources: [.certbot(liveDirectory: live)], logger: Logger(label: "test"))
        let watcher = Task { await store.watch(every: .milliseconds(20)) }
        defer { watcher.cancel() }
        try pki.installCertbotLineage("w.test", leaf: second, generation: 2)
        // Generous: parallel tests that wait on openssl subprocesses can starve the cooperative pool.
        let deadline = ContinuousClock.now + .seconds(30)
        while store.certificates.first?.serialNumber != "42" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(store.certificates.map(\.serialNumber) == ["42"])
    }
}
