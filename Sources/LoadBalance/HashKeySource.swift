/// Where a proxy takes the hash key of a request from, as configured per backend
/// (HAProxy `balance source` / `balance hdr(name)` / `balance uri`).
public enum HashKeySource: Sendable, Hashable {
    /// The client's IP address (not the port).
    case clientAddress
    /// The value of a request header, e.g. a session or tenant id. Header names compare
    /// case-insensitively (RFC 9110 §5.1), which is the caller's lookup's job.
    case header(String)
    /// The request target; by default only the path before `?` (HAProxy's `balance uri`
    /// default), so that cache-busting query strings do not move a key.
    case uri(includeQuery: Bool = false)

    /// Computes the key for one request from its parts.
    ///
    /// - Parameters:
    ///   - clientAddress: the client's IP address bytes or text, without port.
    ///   - uri: the request target bytes as received.
    ///   - headerValue: looks a header up by name; return `nil` when it is absent.
    /// - Returns: the key, or `nil` when the configured source is absent from the request (a
    ///   missing or empty header); hash strategies then take turns, as HAProxy's `balance
    ///   hdr(NAME)` falls back to round robin ("if the header is absent or if it does not
    ///   contain any value"). A stand-in key would send all such requests to one endpoint.
    public func key<Address: Collection, URI: Collection>(
        clientAddress: Address,
        uri: URI,
        headerValue: (String) -> String?
    ) -> HashKey? where Address.Element == UInt8, URI.Element == UInt8 {
        switch self {
        case .clientAddress:
            return HashKey.clientAddress(clientAddress)
        case .header(let name):
            guard let value = headerValue(name), !value.isEmpty else { return nil }
            return HashKey(value)
        case .uri(let includeQuery):
            if includeQuery {
                return HashKey(bytes: uri)
            }
            let questionMark = UInt8(ascii: "?")
            return HashKey(bytes: uri.prefix { $0 != questionMark })
        }
    }
}
