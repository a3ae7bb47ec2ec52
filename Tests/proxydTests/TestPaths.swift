import Foundation

/// Paths the end-to-end and configuration tests need, found from this file's location so the
/// tests run from any working directory.
enum TestPaths {
    /// The repository root.
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `proxyd` binary that `swift test` built next to the test bundle.
    static var proxydBinary: URL {
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [testBundle, testBundle.deletingLastPathComponent(), testBundle.deletingLastPathComponent().deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("proxyd")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repository.appendingPathComponent(".build/debug/proxyd")
    }
}
