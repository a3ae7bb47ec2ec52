public import Foundation
public import Testing

/// Where the project's shared, public test data lives — `shared/corpora` (conformance corpora)
/// and `shared/seed` (the user's haproxy.cfg) — read in place, never copied into the repository.
///
/// Only the project's own workspace and CI have that folder; a clone anywhere else does not.
/// The suites that read it therefore run in three ways:
/// - found: they run;
/// - not found: they are skipped, with ``skipMessage`` in the test report, so a fresh clone
///   passes `scripts/test` on its own fixtures alone;
/// - not found with `PROXYD_REQUIRE_CORPORA=1` (what `.ci/run` sets): they run and fail with
///   the same message, so CI can never pass by skipping them.
///
/// The folder is `$PROXYD_SHARED_DIR` when that is set (and holds `corpora/`), else the first
/// `shared/` folder with a `corpora/` inside found walking up from this file: the repository's
/// sibling in the workspace (`/work/main` → `/work/shared`), also from a git worktree beside it.
public enum SharedCorpora {
    /// What a skipped or failing suite says: what is missing and how to provide it.
    public static let skipMessage = "corpora not found: set PROXYD_SHARED_DIR (the folder holding corpora/ and seed/)"

    /// The shared folder, or nil in a clone that stands alone.
    public static let directory: URL? = locate(
        environment: ProcessInfo.processInfo.environment, start: URL(fileURLWithPath: #filePath))

    /// Whether a missing folder is a failure rather than a skip (`PROXYD_REQUIRE_CORPORA=1`).
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["PROXYD_REQUIRE_CORPORA"] == "1" }

    /// Whether the suites that read the shared data run: when it was found, or when it is
    /// required (then they fail with ``skipMessage``). Use as `.enabled(if: SharedCorpora.runs, …)`.
    public static var runs: Bool { directory != nil || isRequired }

    /// The missing-data error: ``skipMessage`` and the file that was wanted.
    public struct Missing: Error, CustomStringConvertible {
        /// The path below the shared folder that was asked for.
        public var relativePath: String
        /// The error for `relativePath` (below the shared folder) not found.
        public init(relativePath: String) { self.relativePath = relativePath }
        public var description: String { "\(SharedCorpora.skipMessage) (wanted shared/\(relativePath))" }
    }

    /// A file or folder below the shared folder, e.g. `corpora/http/llhttp/llhttp-cases.jsonl`;
    /// throws ``Missing`` when the folder or the entry is absent.
    public static func url(_ relativePath: String) throws -> URL {
        guard let directory else { throw Missing(relativePath: relativePath) }
        let url = directory.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(relativePath: relativePath) }
        return url
    }

    /// The lines of a JSON Lines file below the shared folder, decoded; `[]` when the folder is
    /// absent and not required, so that a parameterized test's arguments can be computed even
    /// while its suite is being skipped.
    public static func jsonLines<T: Decodable>(_ relativePath: String, as type: T.Type) throws -> [T] {
        guard directory != nil || isRequired else { return [] }
        let text = try String(contentsOf: url(relativePath), encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(T.self, from: Data($0.utf8)) }
    }

    /// The search, apart from the process's environment so that it can be tested.
    static func locate(environment: [String: String], start: URL) -> URL? {
        let fileManager = FileManager.default
        func holdsCorpora(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: url.appendingPathComponent("corpora").path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        if let explicit = environment["PROXYD_SHARED_DIR"], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit)
            return holdsCorpora(url) ? url : nil
        }
        var directory = start.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared")
            if holdsCorpora(candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}

extension Trait where Self == ConditionTrait {
    /// For a suite that reads the shared data: it runs when the data was found or is required
    /// (`PROXYD_REQUIRE_CORPORA=1`), and is otherwise skipped with ``SharedCorpora/skipMessage``.
    public static var needsSharedCorpora: Self {
        .enabled(if: SharedCorpora.runs, Comment(rawValue: SharedCorpora.skipMessage))
    }
}
