import Testing
@testable import TLSTerm

@Suite("CertificateChangeDetector decides when polling reloads")
struct CertificateChangeDetectorTests {
    private func look(_ inode: UInt64, target: String = "/a") -> [FileFingerprint] {
        [FileFingerprint(path: "/live/fullchain.pem", state: .present(resolvedPath: target, device: 1, inode: inode, size: 10, modifiedSeconds: 1, modifiedNanoseconds: 0))]
    }

    @Test("files as loaded are unchanged")
    func unchanged() {
        var detector = CertificateChangeDetector(loaded: look(1))
        #expect(detector.observe(look(1), settle: false) == .unchanged)
    }

    @Test("a re-pointed symlink triggers a reload")
    func symlinkTarget() {
        var detector = CertificateChangeDetector(loaded: look(1))
        #expect(detector.observe(look(1, target: "/b"), settle: false) == .reload)
    }

    @Test("a state that failed to load is not retried until it changes again")
    func failedNotRetried() {
        var detector = CertificateChangeDetector(loaded: look(1))
        #expect(detector.observe(look(2), settle: false) == .reload)
        detector.didFail(look(2))
        #expect(detector.observe(look(2), settle: false) == .unchanged)
        #expect(detector.observe(look(3), settle: false) == .reload)
    }

    @Test("with settle, a change reloads only once two looks agree")
    func settles() {
        var detector = CertificateChangeDetector(loaded: look(1))
        #expect(detector.observe(look(2), settle: true) == .settling)
        #expect(detector.observe(look(3), settle: true) == .settling)
        #expect(detector.observe(look(3), settle: true) == .reload)
        detector.didLoad(look(3))
        #expect(detector.observe(look(3), settle: true) == .unchanged)
    }
}
