import COpenSSL

/// A TLS protocol version this module can negotiate.
///
/// Only TLS 1.2 (RFC 5246) and TLS 1.3 (RFC 8446) exist here on purpose: RFC 8996 deprecates
/// TLS 1.0 and 1.1, so they cannot even be configured.
public enum TLSVersion: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// TLS 1.2, RFC 5246.
    case tls1_2 = 0x0303
    /// TLS 1.3, RFC 8446.
    case tls1_3 = 0x0304

    /// The name OpenSSL and HAProxy's `%sslv` use: `TLSv1.2`, `TLSv1.3`.
    public var description: String {
        switch self {
        case .tls1_2: "TLSv1.2"
        case .tls1_3: "TLSv1.3"
        }
    }

    public static func < (lhs: TLSVersion, rhs: TLSVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The OpenSSL protocol constant (`TLS1_2_VERSION`, `TLS1_3_VERSION`).
    var openSSLValue: Int32 {
        switch self {
        case .tls1_2: TLS1_2_VERSION
        case .tls1_3: TLS1_3_VERSION
        }
    }

    /// Maps `SSL_version()` back; nil for anything older (which is never negotiated here).
    init?(openSSLValue: Int32) {
        switch openSSLValue {
        case TLS1_2_VERSION: self = .tls1_2
        case TLS1_3_VERSION: self = .tls1_3
        default: return nil
        }
    }
}
