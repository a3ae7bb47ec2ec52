import Foundation
import Logging
import Testing
import TestCorpora
@testable import TLSTerm

/// Checked against Mozilla's own guidelines file in the shared corpora, read in place.
@Suite("TLSConfiguration defaults follow Mozilla intermediate 6.0", .needsSharedCorpora)
struct TLSConfigurationMozillaTests {
    private func intermediate() throws -> [String: Any] {
        let data = try Data(contentsOf: SharedCorpora.url("corpora/tls/mozilla-guidelines/6.0.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let configurations = try #require(json["configurations"] as? [String: Any])
        return try #require(configurations["intermediate"] as? [String: Any])
    }

    @Test("TLS 1.2 suites are Mozilla's OpenSSL list, in order")
    func tls12Suites() throws {
        let ciphers = try #require(try intermediate()["ciphers"] as? [String: Any])
        #expect(TLSConfiguration.mozillaIntermediate.tls12CipherSuites == ciphers["openssl"] as? [String])
    }

    @Test("TLS 1.3 suites are Mozilla's, in order")
    func tls13Suites() throws {
        #expect(TLSConfiguration.mozillaIntermediate.tls13CipherSuites == (try intermediate()["ciphersuites"] as? [String]))
    }

    @Test("versions are TLS 1.2 to 1.3 and the client's cipher order is honoured")
    func versions() throws {
        let profile = try intermediate()
        let config = TLSConfiguration.mozillaIntermediate
        #expect(profile["tls_versions"] as? [String] == ["\(config.minimumVersion)", "\(config.maximumVersion)"])
        #expect(profile["server_preferred_order"] as? Bool == config.preferServerCipherOrder)
    }

    @Test("groups are Mozilla's curves without ML-KEM, which OpenSSL 3.0 lacks")
    func groups() throws {
        let curves = try #require(try intermediate()["tls_curves"] as? [String])
        #expect(curves.filter { !$0.contains("MLKEM") } == TLSConfiguration.mozillaIntermediate.groups)
    }
}

@Suite("TLSConfiguration validation")
struct TLSConfigurationTests {
    @Test("an unknown TLS 1.2 cipher list is rejected by name")
    func badCipherList() throws {
        var config = TLSConfiguration.mozillaIntermediate
        config.tls12CipherSuites = ["NOT-A-CIPHER"]
        #expect(throws: TLSConfigurationError.invalidTLS12CipherSuites("NOT-A-CIPHER")) {
            try TLSServerContextFixture.context(config)
        }
    }

    @Test("an unknown group is rejected by name")
    func badGroups() throws {
        var config = TLSConfiguration.mozillaIntermediate
        config.groups = ["X25519", "brainpool-nope"]
        #expect(throws: TLSConfigurationError.invalidGroups("X25519:brainpool-nope")) {
            try TLSServerContextFixture.context(config)
        }
    }

    @Test("an empty ALPN name is rejected")
    func badALPN() throws {
        var config = TLSConfiguration.mozillaIntermediate
        config.alpnProtocols = ["h2", ""]
        #expect(throws: TLSConfigurationError.invalidALPNProtocol("")) {
            try TLSServerContextFixture.context(config)
        }
    }

    @Test("a minimum above the maximum is rejected")
    func badRange() throws {
        var config = TLSConfiguration.mozillaIntermediate
        config.minimumVersion = .tls1_3
        config.maximumVersion = .tls1_2
        #expect(throws: TLSConfigurationError.invalidVersionRange(minimum: .tls1_3, maximum: .tls1_2)) {
            try TLSServerContextFixture.context(config)
        }
    }
}

/// Configuration errors surface before any certificate is read, so no PKI is needed.
enum TLSServerContextFixture {
    static func context(_ configuration: TLSConfiguration) throws {
        _ = try CertificateStore(sources: [.combinedPEM("/nonexistent.pem")], configuration: configuration, logger: Logger(label: "test"))
    }
}
