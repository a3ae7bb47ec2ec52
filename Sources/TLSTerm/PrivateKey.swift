import COpenSSL
import CTLSShim

/// Owns one OpenSSL `EVP_PKEY`; frees it in `deinit`.
///
/// `@unchecked Sendable`: the key is never mutated after decoding (`SSL_CTX_use_PrivateKey`
/// takes its own reference) and OpenSSL reference-counts it.
final class PrivateKey: @unchecked Sendable {
    /// The `EVP_PKEY *`.
    let pointer: OpaquePointer

    /// Decodes an unencrypted PEM private key block (PKCS#8, PKCS#1 RSA or SEC1 EC). Never
    /// prompts for a passphrase: encrypted keys are refused by the caller before this.
    static func decode(pem: String) -> Result<PrivateKey, PEMDecodeFailure> {
        OpenSSLErrorQueue.clear()
        let bytes = Array(pem.utf8)
        let decoded: OpaquePointer? = bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return ctlsshim_read_private_key_no_password(bio)
        }
        guard let decoded else { return .failure(PEMDecodeFailure(reason: OpenSSLErrorQueue.drain())) }
        return .success(PrivateKey(taking: decoded))
    }

    private init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// The algorithm family, for picking RSA vs ECDSA certificates per client.
    var keyType: CertificateKeyType? {
        switch ctlsshim_pkey_kind(pointer) {
        case 1: .rsa
        case 2: .ecdsa
        default: nil
        }
    }
}
