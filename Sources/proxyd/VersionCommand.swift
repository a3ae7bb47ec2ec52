import ArgumentParser
import TLSTerm

/// `proxyd version`: the version, the commit it was built from, the Swift compiler that built
/// it and the OpenSSL library it runs on, one `name: value` line each.
///
/// The OpenSSL line is read from the loaded library at run time: the binary links the system's
/// OpenSSL 3, so that line changes with the distribution's security updates while the others
/// stay as built. `--version` prints only the first value, as every command line tool does.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version, commit, Swift compiler and OpenSSL library of this binary."
    )

    func run() {
        print("proxyd: \(BuildInfo.version)")
        print("commit: \(BuildInfo.commit ?? "unknown (not built by scripts/package)")")
        print("swift: \(BuildInfo.swiftCompiler)")
        print("openssl: \(OpenSSLLibrary.version)")
    }
}
