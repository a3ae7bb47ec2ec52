import Foundation

/// Locates files under `Tests/SRVDiscoveryTests/Fixtures` from this source file's path, so the
/// tests need no resource bundle and work in any worktree.
enum FixturePath {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // SRVDiscoveryTests
        .appendingPathComponent("Fixtures")

    static func resolvConf(_ name: String) -> String {
        root.appendingPathComponent("resolvconf").appendingPathComponent(name).path
    }
}
