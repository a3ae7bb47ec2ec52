/// What was built: proxyd's version, the commit and the compiler, for `proxyd version` and
/// `--version`.
///
/// This committed file is the default a plain `swift build` compiles: the commit is unknown
/// (a build from a tarball of the sources has no git), and the compiler is known only to its
/// minor version. `scripts/package` replaces this file with the exact commit and `swift
/// --version` line before its release build and restores it afterwards (a trap, on every exit
/// path), so a packaged binary always names the commit it was built from.
enum BuildInfo {
    /// proxyd's version; the Debian package's version is derived from it.
    static let version = "0.1.0-dev"
    /// The git commit the binary was built from (`-dirty` when the tree had changes), or nil.
    static let commit: String? = nil
    /// The Swift compiler that built the binary.
    static let swiftCompiler: String = {
        #if compiler(>=6.4)
        "Swift 6.4 or later"
        #elseif compiler(>=6.3)
        "Swift 6.3"
        #elseif compiler(>=6.2)
        "Swift 6.2"
        #elseif compiler(>=6.1)
        "Swift 6.1"
        #else
        "Swift 6.0"
        #endif
    }()
}
