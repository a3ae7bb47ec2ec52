import CTLSShim

/// A throwaway certificate for demos and tests: a fresh P-256 key and a self-signed
/// certificate for it, as one combined PEM (certificate, then key) that
/// ``CertificateSource/combinedPEM(_:)`` reads.
///
/// Never for production: nothing trusts it, which is the point of `proxyd demo` printing
/// `curl -k`. Use certbot's files (``CertificateSource/certbot(liveDirectory:)``) for real.
public enum SelfSignedCertificate {
    /// Why no certificate could be made (OpenSSL's error queue, already formatted).
    public struct GenerationError: Error, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - commonName: the subject CN, e.g. `localhost`.
    ///   - alternativeNames: subjectAltName entries in OpenSSL's syntax, e.g.
    ///     `["DNS:localhost", "IP:127.0.0.1"]`.
    ///   - validDays: how long it is valid from now.
    public static func combinedPEM(commonName: String, alternativeNames: [String], validDays: Int = 30) throws(GenerationError) -> String {
        guard let pem = ctlsshim_self_signed_pem(commonName, alternativeNames.joined(separator: ","), Int32(clamping: validDays)) else {
            throw GenerationError(description: "could not generate a self-signed certificate: \(OpenSSLErrorQueue.drain())")
        }
        defer { ctlsshim_free(pem) }
        return String(cString: pem)
    }
}
