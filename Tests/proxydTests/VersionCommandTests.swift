import Foundation
import Testing

/// `proxyd version`: four lines, the OpenSSL one read from the library loaded at run time.
@Suite("proxyd version")
struct VersionCommandTests {
    @Test("proxyd version prints version, commit, Swift and the OpenSSL that `openssl version` reports as its library")
    func printsBuildAndRuntimeVersions() async throws {
        let openssl = try ExternalTool.locate("openssl", package: "openssl")
        let library = try await ExternalTool.run(openssl, ["version"])
        let result = try await ExternalTool.run(TestPaths.proxydBinary, ["version"])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.first == "proxyd: 0.1.0-dev")
        // A test build is a plain `swift build`: only scripts/package writes the commit.
        #expect(lines.dropFirst().first == "commit: unknown (not built by scripts/package)")
        #expect(lines.dropFirst(2).first?.hasPrefix("swift: Swift 6.") == true)
        let opensslLine = try #require(lines.last)
        #expect(opensslLine.hasPrefix("openssl: OpenSSL 3."))
        // `openssl version` ends with "(Library: OpenSSL 3.0.x DATE)" when the CLI and the
        // library differ, or is the library's text itself: either way it contains it.
        #expect(library.out.contains(String(opensslLine.dropFirst("openssl: ".count))), "\(library.out)")
    }
}
