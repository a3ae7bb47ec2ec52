import Foundation
import Logging
import Testing
import TLSTerm

/// The throwaway certificate `proxyd demo` serves: it loads like any combined PEM.
@Suite("Self-signed certificate")
struct SelfSignedCertificateTests {
    @Test("a generated certificate loads as a combined PEM with its names and an ECDSA key")
    func loadsAsCombinedPEM() throws {
        let pem = try SelfSignedCertificate.combinedPEM(commonName: "localhost", alternativeNames: ["DNS:localhost", "DNS:*.demo.internal", "IP:127.0.0.1"], validDays: 3)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(pem.contains("-----BEGIN PRIVATE KEY-----\n"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("self-signed-\(UUID().uuidString).pem")
        try pem.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let store = try CertificateStore(sources: [.combinedPEM(file.path)], logger: Logger(label: "test"))
        let info = try #require(store.certificates.first)
        #expect(info.serverNames == ["localhost", "*.demo.internal"])
        #expect(info.keyType == .ecdsa)
        let now = Int64(Date().timeIntervalSince1970)
        #expect(info.notAfter > now + 2 * 86_400 && info.notAfter <= now + 3 * 86_400 + 60)
        #expect(!info.isExpired(at: now))
    }

    @Test("two generated certificates have different serials")
    func distinctSerials() throws {
        let one = try SelfSignedCertificate.combinedPEM(commonName: "a", alternativeNames: [])
        let two = try SelfSignedCertificate.combinedPEM(commonName: "a", alternativeNames: [])
        #expect(one != two)
    }
}
