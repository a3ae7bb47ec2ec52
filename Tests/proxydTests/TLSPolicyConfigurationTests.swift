import Testing
import TLSTerm
@testable import proxyd

/// The TLS policy of a haproxy.cfg (`ssl-default-bind-*`, bind options) and of the YAML
/// `tls:` mapping: read into the listener, combined as HAProxy combines them, and refused with
/// OpenSSL's verdict at the line that wrote it.
@Suite("TLS policy: haproxy.cfg and YAML")
struct TLSPolicyConfigurationTests {
    /// A global section from line 2 (`global` on line 1), then one TLS frontend whose bind line
    /// number is returned along with the text.
    private func file(global: [String], bind: String = "") -> (text: String, bindLine: Int) {
        let lines = ["global"] + global.map { "    " + $0 } + [
            "frontend web",
            "    bind 127.0.0.1:8443 ssl crt /etc/haproxy/certs/site.pem" + (bind.isEmpty ? "" : " " + bind),
            "    default_backend app",
            "backend app",
            "    server a1 127.0.0.1:9000",
        ]
        return (lines.joined(separator: "\n") + "\n", global.count + 3)
    }

    private func tls(global: [String], bind: String = "") throws -> ListenerTLSConfiguration {
        let loaded = try HAProxyTestFiles.load(file(global: global, bind: bind).text)
        return try #require(loaded.configuration.listeners.first?.tls)
    }

    private func errors(global: [String], bind: String = "") -> [String] {
        HAProxyTestFiles.errors(file(global: global, bind: bind).text)
    }

    static let seedGlobal = [
        "ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
        "ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
        "ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
    ]

    @Test("the seed's global policy reaches every TLS bind, with HAProxy's server cipher order, and warns about nothing")
    func seedPolicy() throws {
        let tls = try tls(global: Self.seedGlobal)
        #expect(tls.ciphers == String(Self.seedGlobal[0].split(separator: " ")[1]))
        #expect(tls.ciphersuites == "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256")
        #expect(tls.minimumVersion == "tls1.2")
        #expect(tls.maximumVersion == "tls1.3")
        #expect(tls.sessionTickets == false)
        #expect(tls.preferServerCiphers == true)
        #expect(HAProxyTestFiles.warnings(file(global: Self.seedGlobal).text) == [])
        let openSSL = tls.openSSLConfiguration
        #expect(openSSL.tls12CipherSuites.count == 8)
        #expect(openSSL.sessionTicketsEnabled == false)
        #expect(openSSL.preferServerCipherOrder == true)
    }

    @Test("without cipher lists the file keeps proxyd's Mozilla defaults and the client's cipher order")
    func defaultsWhenNothingIsSet() throws {
        let tls = try tls(global: ["ssl-default-bind-options no-tls-tickets"])
        #expect(tls.ciphers == nil && tls.ciphersuites == nil && tls.curves == nil)
        #expect(tls.preferServerCiphers == false)
        #expect(tls.openSSLConfiguration.tls12CipherSuites == TLSConfiguration.mozillaIntermediate.tls12CipherSuites)
        #expect(try self.tls(global: []) == ListenerTLSConfiguration(certificates: ["/etc/haproxy/certs/site.pem"]))
    }

    @Test("prefer-client-ciphers, global or on the bind, keeps the client's order with a custom list")
    func preferClientCiphers() throws {
        #expect(try tls(global: Self.seedGlobal, bind: "prefer-client-ciphers").preferServerCiphers == false)
        #expect(try tls(global: Self.seedGlobal + ["ssl-default-bind-options prefer-client-ciphers"]).preferServerCiphers == false)
    }

    @Test("bind options override the global defaults; flags add up")
    func bindOverridesGlobal() throws {
        let tls = try tls(global: Self.seedGlobal + ["ssl-default-bind-curves X25519:prime256v1"],
                          bind: "ciphers ECDHE-RSA-AES256-GCM-SHA384 ciphersuites TLS_AES_256_GCM_SHA384 curves secp384r1 ssl-max-ver TLSv1.2")
        #expect(tls.ciphers == "ECDHE-RSA-AES256-GCM-SHA384")
        #expect(tls.ciphersuites == "TLS_AES_256_GCM_SHA384")
        #expect(tls.curves == "secp384r1")
        #expect(tls.maximumVersion == "tls1.2")
        #expect(tls.minimumVersion == "tls1.2")
        #expect(tls.sessionTickets == false)  // global no-tls-tickets still holds
        #expect(try self.tls(global: ["ssl-default-bind-options ssl-min-ver TLSv1.3"], bind: "ssl-min-ver TLSv1.2").minimumVersion == "tls1.2")
        #expect(try self.tls(global: ["ssl-default-bind-curves X25519"]).curves == "X25519")
    }

    @Test("no-tlsvXX and force-tlsvXX narrow the range; SSLv3 to TLS 1.1 switches are accepted as already true")
    func versionSwitches() throws {
        let noThirteen = try tls(global: [], bind: "no-sslv3 no-tlsv10 no-tlsv11 no-tlsv13")
        #expect((noThirteen.minimumVersion, noThirteen.maximumVersion) == ("tls1.2", "tls1.2"))
        let noTwelve = try tls(global: ["ssl-default-bind-options no-tlsv12"])
        #expect((noTwelve.minimumVersion, noTwelve.maximumVersion) == ("tls1.3", "tls1.3"))
        let forced = try tls(global: [], bind: "force-tlsv12")
        #expect((forced.minimumVersion, forced.maximumVersion) == ("tls1.2", "tls1.2"))
        #expect(try tls(global: ["ssl-default-bind-sigalgs ECDSA+SHA256:RSA-PSS+SHA256"]).signatureAlgorithms == "ECDSA+SHA256:RSA-PSS+SHA256")
    }

    @Test("versions before TLS 1.2 are errors at their line, globally and on a bind")
    func oldVersionsRefused() {
        #expect(errors(global: ["ssl-default-bind-options ssl-min-ver TLSv1.0"]) == [
            "haproxy.cfg:2: error: ssl-min-ver TLSv1.0: proxyd never negotiates versions before TLS 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1); write ssl-min-ver TLSv1.2",
        ])
        #expect(errors(global: [], bind: "ssl-max-ver TLSv1.1") == [
            "haproxy.cfg:3: error: ssl-max-ver TLSv1.1: proxyd never negotiates versions before TLS 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1); write ssl-max-ver TLSv1.2",
        ])
        #expect(errors(global: [], bind: "force-tlsv11") == [
            "haproxy.cfg:3: error: force-tlsv11: proxyd never negotiates versions before TLS 1.2 (RFC 8996 deprecates TLS 1.0 and 1.1); write ssl-min-ver TLSv1.2",
        ])
        #expect(errors(global: [], bind: "ssl-min-ver TLSv2") == ["haproxy.cfg:3: error: ssl-min-ver must be TLSv1.2 or TLSv1.3, found 'TLSv2'"])
        #expect(errors(global: ["ssl-default-bind-options no-tlsv12"], bind: "no-tlsv13") == [
            "haproxy.cfg:4: error: no TLS version is left to offer (ssl-min-ver TLSv1.2, ssl-max-ver TLSv1.3, no-tlsv12 no-tlsv13)",
        ])
        #expect(errors(global: [], bind: "ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2") == [
            "haproxy.cfg:3: error: no TLS version is left to offer (ssl-min-ver TLSv1.3, ssl-max-ver TLSv1.2)",
        ])
    }

    @Test("what OpenSSL refuses is an error at the line that wrote it")
    func openSSLRefusals() {
        #expect(errors(global: ["ssl-default-bind-ciphers NOT-A-CIPHER"]) == [
            "haproxy.cfg:2: error: OpenSSL accepts none of the TLS 1.2 cipher suites 'NOT-A-CIPHER'",
        ])
        #expect(errors(global: ["ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_512_GCM"]) == [
            "haproxy.cfg:2: error: OpenSSL knows no TLS 1.3 cipher suite 'TLS_AES_512_GCM'",
        ])
        #expect(errors(global: [], bind: "curves X25519:brainpoolP999") == [
            "haproxy.cfg:3: error: OpenSSL rejects the key exchange groups 'X25519:brainpoolP999'",
        ])
        #expect(errors(global: [], bind: "sigalgs ECDSA+MD17") == [
            "haproxy.cfg:3: error: OpenSSL rejects the signature algorithms 'ECDSA+MD17'",
        ])
        #expect(errors(global: ["ssl-default-bind-options no-tls-tickets frobnicate"]) == [
            "haproxy.cfg:2: error: ssl-default-bind-options: unsupported option 'frobnicate'",
        ])
        #expect(errors(global: [], bind: "ciphers") == ["haproxy.cfg:3: error: bind option 'ciphers' needs a value"])
    }

    @Test("ssl-dh-param-file is refused with the reason; ca-base is accepted and changes nothing")
    func dhParamsAndCABase() {
        #expect(errors(global: ["ssl-dh-param-file /etc/haproxy/dhparam.pem"]) == [
            "haproxy.cfg:2: error: unsupported directive 'ssl-dh-param-file' in section global; proxyd gives DHE suites the RFC 7919 ffdhe group sized to the certificate's key (HAProxy 2.6's default without this line); remove it",
        ])
        #expect(HAProxyTestFiles.warnings(file(global: ["ca-base /etc/ssl/certs"]).text) == [])
        #expect(errors(global: [], bind: "ca-file ca.pem") == ["haproxy.cfg:3: error: bind option 'ca-file' is not supported: client certificates are not supported"])
    }

    @Test("crt-base prefixes relative crt paths, as HAProxy does; absolute paths stay")
    func certificateBase() throws {
        let text = """
            global
                crt-base /etc/ssl/private
            frontend web
                bind 127.0.0.1:8443 ssl crt site.pem crt /etc/haproxy/other.pem crt sub/dir.pem
                default_backend app
            backend app
                server a1 127.0.0.1:9000

            """
        let tls = try #require(try HAProxyTestFiles.load(text).configuration.listeners.first?.tls)
        #expect(tls.certificates == ["/etc/ssl/private/site.pem", "/etc/haproxy/other.pem", "/etc/ssl/private/sub/dir.pem"])
    }

    @Test("chroot is read into the model without a warning")
    func chroot() throws {
        let loaded = try HAProxyTestFiles.load(file(global: ["chroot /var/lib/haproxy", "user haproxy"]).text)
        #expect(loaded.configuration.chroot == "/var/lib/haproxy")
        #expect(loaded.warnings.isEmpty)
    }

    // MARK: YAML

    private func yaml(_ tlsLines: [String], top: [String] = []) -> String {
        (top + [
            "listeners:",
            "  - bind: 127.0.0.1:8443",
            "    backend: app",
            "    tls:",
            "      certificates: [/etc/proxyd/site.pem]",
        ] + tlsLines.map { "      " + $0 } + [
            "backends:",
            "  app:",
            "    servers: [127.0.0.1:9000]",
        ]).joined(separator: "\n") + "\n"
    }

    private func yamlErrors(_ text: String) -> [String] {
        do {
            _ = try YAMLConfigurationLoader.load(yaml: text, file: "proxyd.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("YAML tls: keys reach the listener, and chroot the process")
    func yamlKeys() throws {
        let text = yaml([
            "min_version: tls1.2", "max_version: tls1.2", "ciphers: ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
            "ciphersuites: TLS_AES_128_GCM_SHA256", "curves: X25519", "sigalgs: RSA-PSS+SHA256", "session_tickets: false",
            "prefer_server_ciphers: true",
        ], top: ["chroot: /var/lib/proxyd"])
        let loaded = try YAMLConfigurationLoader.load(yaml: text, file: "proxyd.yaml")
        let tls = try #require(loaded.configuration.listeners.first?.tls)
        var expected = ListenerTLSConfiguration(certificates: ["/etc/proxyd/site.pem"])
        expected.maximumVersion = "tls1.2"
        expected.ciphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"
        expected.ciphersuites = "TLS_AES_128_GCM_SHA256"
        expected.curves = "X25519"
        expected.signatureAlgorithms = "RSA-PSS+SHA256"
        expected.sessionTickets = false
        expected.preferServerCiphers = true
        #expect(tls == expected)
        #expect(loaded.configuration.chroot == "/var/lib/proxyd")
    }

    @Test("YAML: what OpenSSL refuses, and versions before TLS 1.2, are errors at their key")
    func yamlErrorsAtKeys() {
        #expect(yamlErrors(yaml(["ciphers: NOT-A-CIPHER"])) == [
            "proxyd.yaml:6:16: error: listeners[0].tls.ciphers: OpenSSL accepts none of the TLS 1.2 cipher suites 'NOT-A-CIPHER'",
        ])
        #expect(yamlErrors(yaml(["min_version: tls1.0"])) == [
            "proxyd.yaml:6:20: error: listeners[0].tls.min_version must be tls1.2 or tls1.3 (proxyd never negotiates older versions, RFC 8996)",
        ])
        #expect(yamlErrors(yaml(["min_version: tls1.3", "max_version: tls1.2"])) == [
            "proxyd.yaml:7:20: error: listeners[0].tls.max_version: TLS minimum version TLSv1.3 is above maximum TLSv1.2",
        ])
    }

    @Test("convert carries the whole TLS policy and chroot into YAML and back")
    func convertRoundTrip() throws {
        let text = file(global: Self.seedGlobal + ["chroot /var/lib/haproxy", "ssl-default-bind-sigalgs ECDSA+SHA256:RSA-PSS+SHA256"],
                        bind: "ssl-max-ver TLSv1.2 curves X25519").text
        let original = try HAProxyTestFiles.load(text).configuration
        let yaml = try ConfigurationYAMLWriter.yaml(for: original)
        let reread = try YAMLConfigurationLoader.load(yaml: yaml, file: "converted.yaml").configuration
        #expect(reread.listeners.first?.tls == original.listeners.first?.tls)
        #expect(reread.chroot == "/var/lib/haproxy")
        #expect(original.listeners.first?.tls?.maximumVersion == "tls1.2")
    }
}
