import Foundation

/// Finds the project's shared conformance data (`shared/corpora`), read in place: the
/// `PROXYD_SHARED_DIR` environment variable if set, else the first ancestor of this file that
/// has a `shared/corpora` directory next to it (works in /work/main and in worktrees).
enum SharedCorpora {
    static func directory(filePath: String = #filePath) -> String? {
        if let explicit = ProcessInfo.processInfo.environment["PROXYD_SHARED_DIR"] { return explicit }
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("shared/corpora")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return url.appendingPathComponent("shared").path
            }
            url = url.deletingLastPathComponent()
        }
        return nil
    }
}
