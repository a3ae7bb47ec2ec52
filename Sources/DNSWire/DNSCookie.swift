/// A DNS Cookie option (RFC 7873): a lightweight defence against off-path spoofing.
///
/// The client sends its 8-octet cookie; the server echoes it with its own 8–32 octets, which
/// the client returns on later queries to that server.
public struct DNSCookie: Hashable, Sendable {
    /// The client cookie, exactly 8 octets.
    public let client: [UInt8]
    /// The server cookie: empty in a first query, else 8–32 octets.
    public let server: [UInt8]

    /// Creates a cookie; throws `.invalidEDNSOption(code: 10)` unless `client` has 8 octets and
    /// `server` is empty or 8–32 octets (RFC 7873 §4).
    public init(client: [UInt8], server: [UInt8] = []) throws(DNSWireError) {
        guard client.count == 8, server.isEmpty || (8...32).contains(server.count) else {
            throw .invalidEDNSOption(code: EDNSOption.cookieCode)
        }
        self.init(unchecked: client, server: server)
    }

    /// For the decoder, which has checked the lengths.
    init(unchecked client: [UInt8], server: [UInt8]) {
        self.client = client
        self.server = server
    }
}
