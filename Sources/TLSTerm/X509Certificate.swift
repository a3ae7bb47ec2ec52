import COpenSSL
import CTLSShim

/// Owns one OpenSSL `X509`; frees it in `deinit`.
///
/// `@unchecked Sendable`: after decoding, the certificate is never mutated (only read by
/// `SSL_CTX_use_certificate`, which takes its own reference) and OpenSSL reference-counts it,
/// so sharing the wrapper between threads is safe.
final class X509Certificate: @unchecked Sendable {
    /// The `X509 *`.
    let pointer: OpaquePointer

    /// Decodes one PEM `CERTIFICATE` block; nil with the OpenSSL reason if the DER is bad.
    static func decode(pem: String) -> Result<X509Certificate, PEMDecodeFailure> {
        OpenSSLErrorQueue.clear()
        let bytes = Array(pem.utf8)
        let decoded: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        guard let decoded else { return .failure(PEMDecodeFailure(reason: OpenSSLErrorQueue.drain())) }
        return .success(X509Certificate(taking: decoded))
    }

    private init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        X509_free(pointer)
    }

    /// DNS names from subjectAltName; nil when the extension is absent (then, and only then,
    /// the common name is used — RFC 6125 §6.4.4).
    var subjectAltDNSNames: [String]? {
        guard let raw = ctlsshim_x509_dns_names(pointer) else { return nil }
        defer { ctlsshim_free(raw) }
        return String(cString: raw).split(separator: "\n").map(String.init)
    }

    /// The subject's common name, if any.
    var commonName: String? {
        guard let raw = ctlsshim_x509_common_name(pointer) else { return nil }
        defer { ctlsshim_free(raw) }
        return String(cString: raw)
    }

    /// The subject in RFC 2253 form, e.g. `CN=example.com`.
    var subject: String {
        guard let raw = ctlsshim_x509_subject(pointer) else { return "" }
        defer { ctlsshim_free(raw) }
        return String(cString: raw)
    }

    /// The serial number in upper-case hex, as `openssl x509 -serial` prints it.
    var serialNumber: String {
        guard let raw = ctlsshim_x509_serial_hex(pointer) else { return "" }
        defer { ctlsshim_free(raw) }
        return String(cString: raw)
    }

    /// notBefore in seconds since the Unix epoch.
    var notBefore: Int64 {
        var value: Int64 = 0
        return ctlsshim_x509_not_before(pointer, &value) == 1 ? value : 0
    }

    /// notAfter in seconds since the Unix epoch.
    var notAfter: Int64 {
        var value: Int64 = 0
        return ctlsshim_x509_not_after(pointer, &value) == 1 ? value : 0
    }

    /// True when `issuer` signed this certificate (`X509_check_issued`).
    func isIssued(by issuer: X509Certificate) -> Bool {
        let result = X509_check_issued(issuer.pointer, pointer) == X509_V_OK
        OpenSSLErrorQueue.clear()
        return result
    }

    /// True when `key` is the private half of this certificate's public key.
    func matches(_ key: PrivateKey) -> Bool {
        let result = X509_check_private_key(pointer, key.pointer) == 1
        OpenSSLErrorQueue.clear()
        return result
    }
}

/// OpenSSL's reason for refusing a PEM block's content.
struct PEMDecodeFailure: Error {
    /// The drained OpenSSL error queue.
    var reason: String
}
