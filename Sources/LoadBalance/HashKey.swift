/// The input of a hash-based pick (ring, Maglev, bounded loads, source hash): a 64-bit value
/// computed with a fixed, process-independent hash so that every proxy instance agrees.
///
/// Build it once per request from bytes (``init(bytes:)``), a string (``init(_:)``), a client
/// address (``clientAddress(_:)``) or pass a hash you already have (``init(hash:)``); the
/// pick itself then never touches the bytes again.
public struct HashKey: Sendable, Hashable {
    /// The 64-bit hash the strategies consume.
    public var hash: UInt64

    /// Wraps a hash computed elsewhere (for example cached on a connection).
    public init(hash: UInt64) {
        self.hash = hash
    }

    /// Hashes raw bytes (a header value, a URI path, a session id).
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        self.hash = StableHash.hash(bytes)
    }

    /// Hashes the UTF-8 bytes of a string.
    public init(_ string: some StringProtocol) {
        self.hash = StableHash.hash(string.utf8)
    }

    /// The key for source-address affinity: pass the client's IP address only — its 4 or
    /// 16 bytes, or its text form — never the port, so that every connection of a client
    /// lands on the same endpoint (HAProxy `balance source`).
    public static func clientAddress<Bytes: Sequence>(_ address: Bytes) -> HashKey where Bytes.Element == UInt8 {
        HashKey(bytes: address)
    }
}
