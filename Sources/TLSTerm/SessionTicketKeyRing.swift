public import NIOCore
import COpenSSL
import NIOConcurrencyHelpers

/// The keys that protect session tickets (RFC 5077 §4; RFC 8446 §4.6.1 for TLS 1.3), rotated
/// on a clock so that a stolen key exposes only a bounded window of sessions.
///
/// The newest key encrypts new tickets; the ``retained`` previous keys still decrypt tickets
/// they issued, and such a ticket is renewed under the newest key (the callback returns 2).
/// A ticket whose key has been dropped falls back to a full handshake. Keys are random
/// (`RAND_bytes`) and never leave the process; several proxyd processes behind one address
/// therefore resume only their own tickets.
public final class SessionTicketKeyRing: Sendable {
    /// One ticket key: 16-byte name sent in the ticket, AES-256 and HMAC-SHA256 secrets.
    struct Key: Sendable {
        var name: [UInt8]
        var aesKey: [UInt8]
        var hmacKey: [UInt8]
        var createdAt: NIODeadline
    }

    /// How long a key encrypts before it is replaced.
    public let rotationInterval: TimeAmount
    /// How many previous keys still decrypt.
    public let retained: Int
    private let now: @Sendable () -> NIODeadline
    /// Newest first.
    private let keys: NIOLockedValueBox<[Key]>

    /// A ring with one fresh key.
    ///
    /// - Parameters:
    ///   - rotationInterval: how long a key encrypts new tickets before a fresh one replaces
    ///     it; short enough to bound what a stolen key decrypts (forward secrecy of resumption).
    ///   - retained: how many previous keys still decrypt (and renew) tickets, so that clients
    ///     holding a ticket from just before a rotation still resume.
    ///   - now: the clock rotation follows; inject one in tests.
    public init(rotationInterval: TimeAmount, retained: Int, now: @escaping @Sendable () -> NIODeadline = { .now() }) {
        self.rotationInterval = rotationInterval
        self.retained = max(0, retained)
        self.now = now
        self.keys = NIOLockedValueBox([Self.makeKey(at: now())])
    }

    /// Names of the keys in the ring, newest first (hex), for logs and tests.
    public var keyNames: [String] {
        rotateIfDue()
        return keys.withLockedValue { $0.map { $0.name.map { String($0, radix: 16).leftPadded(to: 2) }.joined() } }
    }

    /// Adds a new encryption key now, dropping the oldest beyond ``retained`` (admin action
    /// after a suspected key leak: call it `retained + 1` times to invalidate every ticket).
    public func rotate() {
        let key = Self.makeKey(at: now())
        keys.withLockedValue { keys in
            keys.insert(key, at: 0)
            if keys.count > retained + 1 { keys.removeLast(keys.count - retained - 1) }
        }
    }

    /// The key for a new ticket (rotating first if the newest is older than the interval).
    func encryptionKey() -> Key {
        rotateIfDue()
        return keys.withLockedValue { $0[0] }
    }

    /// The key named `name`, and whether the ticket should be renewed under a newer key.
    func decryptionKey(named name: UnsafeRawBufferPointer) -> (key: Key, renew: Bool)? {
        rotateIfDue()
        return keys.withLockedValue { keys in
            guard let index = keys.firstIndex(where: { $0.name.elementsEqual(name) }) else { return nil }
            return (keys[index], index != 0)
        }
    }

    private func rotateIfDue() {
        let now = now()
        let due = keys.withLockedValue { now - $0[0].createdAt >= rotationInterval }
        if due { rotate() }
    }

    private static func makeKey(at time: NIODeadline) -> Key {
        Key(name: randomBytes(16), aesKey: randomBytes(32), hmacKey: randomBytes(32), createdAt: time)
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        if RAND_bytes(&bytes, Int32(count)) != 1 {
            // RAND_bytes only fails when the OS entropy source is broken; fall back to the
            // system generator rather than ever using a predictable key.
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
        }
        return bytes
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
