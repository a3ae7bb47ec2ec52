import NIOCore
import Synchronization
import Testing
@testable import TLSTerm

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let time = Mutex(NIODeadline.uptimeNanoseconds(1_000_000_000))
    var now: NIODeadline { time.withLock { $0 } }
    func advance(_ amount: TimeAmount) { time.withLock { $0 = $0 + amount } }
    var function: @Sendable () -> NIODeadline { { self.now } }
}

@Suite("SessionTicketKeyRing rotates ticket keys on its clock")
struct SessionTicketKeyRingTests {
    @Test("the key is kept until the rotation interval passes")
    func keepsKeyWithinInterval() {
        let clock = ManualClock()
        let ring = SessionTicketKeyRing(rotationInterval: .hours(1), retained: 1, now: clock.function)
        let first = ring.keyNames
        clock.advance(.minutes(59))
        #expect(ring.keyNames == first)
    }

    @Test("after the interval a new key encrypts and the old one still decrypts")
    func rotates() {
        let clock = ManualClock()
        let ring = SessionTicketKeyRing(rotationInterval: .hours(1), retained: 1, now: clock.function)
        let first = ring.encryptionKey()
        clock.advance(.hours(1))
        let second = ring.encryptionKey()
        #expect(second.name != first.name)
        let old = first.name.withUnsafeBytes { ring.decryptionKey(named: $0) }
        #expect(old?.renew == true)
        let new = second.name.withUnsafeBytes { ring.decryptionKey(named: $0) }
        #expect(new?.renew == false)
    }

    @Test("keys beyond the retained count are dropped")
    func dropsOldKeys() {
        let clock = ManualClock()
        let ring = SessionTicketKeyRing(rotationInterval: .hours(1), retained: 1, now: clock.function)
        let first = ring.encryptionKey()
        clock.advance(.hours(2))
        _ = ring.encryptionKey()
        clock.advance(.hours(1))
        _ = ring.encryptionKey()
        #expect(ring.keyNames.count == 2)
        #expect(first.name.withUnsafeBytes { ring.decryptionKey(named: $0) } == nil)
    }
}
