import COpenSSL

/// The OpenSSL library this process runs on, as opposed to the headers it was compiled against.
///
/// proxyd links the system's `libssl`/`libcrypto` dynamically, so a security update of the
/// distribution's OpenSSL changes what runs without a rebuild; an operator checking whether a
/// box has the fixed version needs the runtime answer, which only the library itself can give.
public enum OpenSSLLibrary {
    /// The version text of the loaded library, e.g. `OpenSSL 3.0.15 3 Sep 2024`
    /// (`OpenSSL_version(OPENSSL_VERSION)`, read at run time).
    public static var version: String {
        guard let text = OpenSSL_version(OPENSSL_VERSION) else { return "unknown" }
        return String(cString: text)
    }
}
