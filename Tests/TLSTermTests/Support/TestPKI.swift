import Foundation
import TLSTerm

/// A throw-away PKI made with the `openssl` CLI in a temp directory: a root CA, an
/// intermediate CA, and leaf certificates issued on demand (ECDSA P-256 or RSA 2048, chosen
/// SANs, serial, validity). Removed with the object.
final class TestPKI {
    /// The files of one issued leaf.
    struct Leaf {
        /// Unencrypted PKCS#8 key.
        var key: String
        /// The leaf certificate alone.
        var certificate: String
        /// Leaf + intermediate, like certbot's fullchain.pem.
        var fullchain: String
        /// Key, intermediate and leaf concatenated in that (deliberately unusual) order.
        var combined: String
        /// Serial number, upper-case hex in whole bytes, as OpenSSL prints it.
        var serial: String
    }

    let directory: String
    let opensslPath: String
    /// The root CA certificate clients trust.
    var rootCertificate: String { directory + "/root.pem" }
    var intermediateCertificate: String { directory + "/intermediate.pem" }

    init() async throws {
        opensslPath = try ExternalTool.require("openssl", debianPackage: "openssl")
        let template = NSTemporaryDirectory() + "tlsterm-pki-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        directory = String(cString: made)
        try write("""
            [v3_ca]
            basicConstraints = critical,CA:TRUE,pathlen:0
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """, to: "ca.ext")
        try await runOpenSSL(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=proxyd Test Root", "-days", "30",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try await runOpenSSL(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "intermediate.key", "-out", "intermediate.csr", "-subj", "/CN=proxyd Test Intermediate"])
        try await runOpenSSL(["x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem", "-CAkey", "root.key",
                    "-set_serial", "2", "-days", "30", "-extfile", "ca.ext", "-extensions", "v3_ca", "-out", "intermediate.pem"])
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func path(_ relative: String) -> String { directory + "/" + relative }

    func write(_ text: String, to relative: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(relative)))
    }

    func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path(relative))), as: UTF8.self)
    }

    struct PKIError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// Issues a leaf signed by the intermediate. `dnsNames` nil: no subjectAltName at all.
    /// `expired`: valid January 2020 only.
    func issue(
        _ label: String, commonName: String, dnsNames: [String]?, keyType: CertificateKeyType = .ecdsa,
        serial: UInt64, expired: Bool = false
    ) async throws -> Leaf {
        let keyArgs = keyType == .ecdsa ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"]
        var ext = """
            [v3_leaf]
            basicConstraints = CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            """
        if let dnsNames { ext += "\nsubjectAltName = " + dnsNames.map { "DNS:" + $0 }.joined(separator: ",") }
        try write(ext + "\n", to: "\(label).ext")
        try await runOpenSSL(["req", "-new"] + keyArgs + ["-nodes", "-keyout", "\(label).key", "-out", "\(label).csr", "-subj", "/CN=\(commonName)"])
        let serialHex = String(serial, radix: 16, uppercase: true)
        if expired {
            try write("""
                [ca]
                default_ca = d
                [d]
                database = \(label).index
                new_certs_dir = .
                serial = \(label).serial
                default_md = sha256
                policy = p
                unique_subject = no
                [p]
                commonName = supplied
                """, to: "\(label).ca.cnf")
            try write("", to: "\(label).index")
            try write((serialHex.count % 2 == 1 ? "0" : "") + serialHex + "\n", to: "\(label).serial")
            try await runOpenSSL(["ca", "-batch", "-notext", "-config", "\(label).ca.cnf", "-cert", "intermediate.pem",
                         "-keyfile", "intermediate.key", "-in", "\(label).csr", "-out", "\(label).crt",
                         "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
                         "-extfile", "\(label).ext", "-extensions", "v3_leaf"])
        } else {
            try await runOpenSSL(["x509", "-req", "-in", "\(label).csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key",
                         "-set_serial", "0x" + serialHex, "-days", "30", "-extfile", "\(label).ext",
                         "-extensions", "v3_leaf", "-out", "\(label).crt"])
        }
        let key = try read("\(label).key"), leaf = try read("\(label).crt"), intermediate = try read("intermediate.pem")
        try write(leaf + intermediate, to: "\(label).fullchain.pem")
        try write(key + intermediate + leaf, to: "\(label).combined.pem")
        return Leaf(
            key: path("\(label).key"), certificate: path("\(label).crt"), fullchain: path("\(label).fullchain.pem"),
            combined: path("\(label).combined.pem"), serial: (serialHex.count % 2 == 1 ? "0" : "") + serialHex
        )
    }

    func runOpenSSL(_ arguments: [String]) async throws {
        let output = try await ExternalTool.run("/bin/sh", ["-c", "cd '\(directory)' && exec \"$0\" \"$@\"", opensslPath] + arguments, timeout: 60)
        guard output.status == 0 else {
            throw PKIError(message: "openssl \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
    }

    /// Lays out certbot's `live/<name>` → `archive/<name>/<file>N.pem` symlinks for `leaf`,
    /// as renewal number `generation`; returns the live directory.
    @discardableResult
    func installCertbotLineage(_ name: String, leaf: Leaf, generation: Int) throws -> String {
        let fm = FileManager.default
        let archive = path("letsencrypt/archive/\(name)"), live = path("letsencrypt/live/\(name)")
        try fm.createDirectory(atPath: archive, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: live, withIntermediateDirectories: true)
        try fm.copyItem(atPath: leaf.fullchain, toPath: "\(archive)/fullchain\(generation).pem")
        try fm.copyItem(atPath: leaf.key, toPath: "\(archive)/privkey\(generation).pem")
        for file in ["fullchain", "privkey"] {
            // certbot's renewal: a new relative symlink renamed over the old one.
            let temporary = "\(live)/.\(file).tmp"
            try? fm.removeItem(atPath: temporary)
            try fm.createSymbolicLink(atPath: temporary, withDestinationPath: "../../archive/\(name)/\(file)\(generation).pem")
            guard rename(temporary, "\(live)/\(file).pem") == 0 else { throw PKIError(message: "rename failed") }
        }
        return live
    }
}
