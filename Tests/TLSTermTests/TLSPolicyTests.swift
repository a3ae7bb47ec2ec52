import Testing
@testable import TLSTerm

/// Every protocol setting of ``TLSConfiguration`` reaches OpenSSL: `openssl s_client` sees the
/// version cap, the cipher list, the cipher order, the group, the signature algorithm and the
/// (absent) session ticket the configuration asks for — and the defaults where it asks nothing.
@Suite("TLSConfiguration reaches OpenSSL (openssl s_client)")
struct TLSPolicyTests {
    private func handshake(_ configure: (inout TLSConfiguration) -> Void, _ arguments: [String]) async throws -> String {
        let fixture = try await SNIFixture(configure: configure)
        var output = ""
        try await withTestServer(fixture.context) { server in
            output = try await sClient(server.port, ["-servername", "api.example.test"] + arguments).combined
        }
        return output
    }

    private func cipher(_ output: String) -> String? {
        guard let range = output.range(of: #"Cipher is [^\s]+"#, options: .regularExpression) else { return nil }
        return String(output[range].dropFirst("Cipher is ".count))
    }

    @Test("maximumVersion TLS 1.2 refuses a TLS 1.3-only client with protocol_version; TLS 1.2 still connects")
    func versionCap() async throws {
        let capped = try await handshake({ $0.maximumVersion = .tls1_2 }, ["-tls1_3"])
        #expect(cipher(capped) == "(NONE)" && capped.contains("alert protocol version"), "\(capped)")
        let open = try await handshake({ _ in }, ["-tls1_3"])
        #expect(cipher(open) == "TLS_AES_256_GCM_SHA384", "\(open)")
        let twelve = try await handshake({ $0.maximumVersion = .tls1_2 }, ["-tls1_2"])
        #expect(twelve.contains("Protocol  : TLSv1.2"), "\(twelve)")
    }

    @Test("sessionTicketsEnabled false sends no TLS 1.2 ticket; the default does")
    func tickets() async throws {
        let without = try await handshake({ $0.sessionTicketsEnabled = false }, ["-tls1_2"])
        #expect(without.contains("SSL-Session:") && !without.contains("TLS session ticket"), "\(without)")
        let with = try await handshake({ _ in }, ["-tls1_2"])
        #expect(with.contains("TLS session ticket lifetime hint"), "\(with)")
    }

    @Test("preferServerCipherOrder picks the server's first suite; the default honours the client's order")
    func cipherOrder() async throws {
        let offer = ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"]
        #expect(cipher(try await handshake({ $0.preferServerCipherOrder = true }, offer)) == "ECDHE-ECDSA-AES128-GCM-SHA256")
        #expect(cipher(try await handshake({ _ in }, offer)) == "ECDHE-ECDSA-AES256-GCM-SHA384")
        let thirteen = try await handshake({ $0.preferServerCipherOrder = true }, ["-tls1_3"])
        #expect(cipher(thirteen) == "TLS_AES_128_GCM_SHA256", "\(thirteen)")
    }

    @Test("a TLS 1.2 suite outside the list gets handshake_failure")
    func cipherList() async throws {
        let output = try await handshake({ $0.tls12CipherSuites = ["ECDHE-ECDSA-AES256-GCM-SHA384"] }, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
        #expect(cipher(output) == "(NONE)" && output.contains("alert handshake failure"), "\(output)")
        let tls13 = try await handshake({ $0.tls13CipherSuites = ["TLS_CHACHA20_POLY1305_SHA256"] }, ["-tls1_3"])
        #expect(cipher(tls13) == "TLS_CHACHA20_POLY1305_SHA256", "\(tls13)")
    }

    @Test("groups and signature algorithms are the ones configured")
    func groupsAndSignatures() async throws {
        let output = try await handshake({
            $0.groups = ["secp384r1"]
            $0.signatureAlgorithms = ["ECDSA+SHA384"]
        }, ["-tls1_2"])
        #expect(output.contains("Server Temp Key: ECDH, secp384r1"), "\(output)")
        #expect(output.contains("Peer signing digest: SHA384"), "\(output)")
    }

    @Test("an unknown TLS 1.3 suite and a bad signature algorithm list are refused by name")
    func refusals() throws {
        var suites = TLSConfiguration.mozillaIntermediate
        suites.tls13CipherSuites = ["TLS_AES_128_GCM_SHA256", "TLS_AES_512_GCM"]
        #expect(throws: TLSConfigurationError.unknownTLS13CipherSuite("TLS_AES_512_GCM")) { try suites.validate() }
        var sigalgs = TLSConfiguration.mozillaIntermediate
        sigalgs.signatureAlgorithms = ["ECDSA+MD17"]
        #expect(throws: TLSConfigurationError.invalidSignatureAlgorithms("ECDSA+MD17")) { try sigalgs.validate() }
        #expect(throws: Never.self) { try TLSConfiguration.mozillaIntermediate.validate() }
    }
}
