import Foundation
import Logging
import Testing
@testable import TLSTerm

/// A certificate store over ``PinnedDirectories`` reads its files through descriptors opened at
/// start: the configured path keeps naming the same files when the path itself no longer leads
/// there (what a chroot does to every path outside the jail), and once sealed a path under no
/// pinned directory is refused as outside the jail.
@Suite("PinnedDirectories: certificate files by descriptor")
struct PinnedDirectoriesTests {
    @Test("paths are made absolute and normalised the same way before and after a chroot")
    func normalisation() {
        #expect(PinnedDirectories.normalize("certs/./a.pem", in: "/etc/haproxy") == "/etc/haproxy/certs/a.pem")
        #expect(PinnedDirectories.normalize("/etc//ssl/../haproxy/a.pem", in: "/x") == "/etc/haproxy/a.pem")
        #expect(PinnedDirectories.normalize("../../..", in: "/a") == "/")
    }

    @Test("after the directory is renamed away, the store still reloads a replaced certificate through the pinned descriptor")
    func reloadThroughDescriptor() async throws {
        let pki = try await TestPKI()
        let first = try await pki.issue("first", commonName: "first.test", dnsNames: ["first.test"], serial: 0xA1)
        let second = try await pki.issue("second", commonName: "first.test", dnsNames: ["first.test"], serial: 0xA2)
        let live = pki.path("live")
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: first.combined, toPath: live + "/site.pem")

        let pinned = PinnedDirectories()
        let store = try CertificateStore(sources: [.combinedPEM(live + "/site.pem")], logger: Logger(label: "test"), pinned: pinned)
        #expect(pinned.directories == [live])
        #expect(store.certificates.map(\.serialNumber) == [first.serial])

        // The configured path now leads nowhere, as it would after chroot(2).
        let moved = pki.path("moved")
        try FileManager.default.moveItem(atPath: live, toPath: moved)
        pinned.seal(jail: "/nonexistent-jail")
        try FileManager.default.removeItem(atPath: moved + "/site.pem")
        try FileManager.default.copyItem(atPath: second.combined, toPath: moved + "/site.pem")
        #expect(store.reloadIfChanged() == .reloaded)
        #expect(store.certificates.map(\.serialNumber) == [second.serial])
    }

    @Test("once sealed, a certificate under no pinned directory is refused as outside the jail")
    func outsideJail() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("leaf", commonName: "leaf.test", dnsNames: ["leaf.test"], serial: 0xB1)
        let pinned = PinnedDirectories()
        pinned.pin(directory: pki.path("elsewhere"))
        pinned.seal(jail: "/var/lib/haproxy")
        #expect(!pinned.pin(directory: pki.directory))
        #expect(throws: CertificateLoadError(file: leaf.combined, problem: .outsideChroot(jail: "/var/lib/haproxy"))) {
            try CertificateStore(sources: [.combinedPEM(leaf.combined)], logger: Logger(label: "test"), pinned: pinned)
        }
    }
}
