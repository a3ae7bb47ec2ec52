import Foundation

/// Finds the shared conformance corpora (`<repo>/../shared/corpora`) without copying them:
/// `PROXYD_SHARED_DIR` wins; otherwise walk up from this file looking for a sibling
/// `shared/corpora` directory (works in /work/main and in worktrees under /work/wt).
enum CorpusLocator {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func directory(_ relative: String, filePath: String = #filePath) throws -> URL {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["PROXYD_SHARED_DIR"] {
            let url = URL(fileURLWithPath: env).appendingPathComponent("corpora").appendingPathComponent(relative)
            if fm.fileExists(atPath: url.path) { return url }
        }
        var dir = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/corpora").appendingPathComponent(relative)
            if fm.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw Missing(description: "shared corpora not found (set PROXYD_SHARED_DIR or keep <repo>/../shared/corpora/\(relative))")
    }

    /// Decodes every line of a JSONL corpus file.
    static func lines<T: Decodable>(_ relative: String, as type: T.Type) throws -> [T] {
        let url = try directory(relative)
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(T.self, from: Data($0.utf8)) }
    }
}

extension String {
    /// Bytes of a base64 corpus field.
    var base64Bytes: [UInt8] { Data(base64Encoded: self).map { [UInt8]($0) } ?? [] }
}
