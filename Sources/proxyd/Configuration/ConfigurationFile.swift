import Foundation
import TLSTerm

/// Reads a configuration file from disk in the language its name says: `*.yaml`/`*.yml` as
/// proxyd's YAML, `*.cfg` (or any file whose first directive opens a HAProxy section) as
/// haproxy.cfg.
enum ConfigurationFile {
    /// - Parameter pinned: after `chroot`, the directories opened before it; the file is read
    ///   through the one that holds it (see ``ChrootJail``).
    static func load(path: String, pinned: PinnedDirectories? = nil) throws(ConfigurationError) -> LoadedConfiguration {
        // Error pages the file names are read through the same pinned directories.
        let result = ConfigurationFileAccess.$pinned.withValue(pinned) {
            Result { () throws(ConfigurationError) in try loadText(path: path, pinned: pinned) }
        }
        return try result.get()
    }

    private static func loadText(path: String, pinned: PinnedDirectories?) throws(ConfigurationError) -> LoadedConfiguration {
        let text: String
        if let pinned, let jail = pinned.jail, !pinned.reaches(path) {
            throw ConfigurationError(diagnostics: [
                .error("cannot read the configuration file: proxyd runs in chroot \(jail) and its directory was not opened before the chroot; restart proxyd", at: .init(file: path, line: 1, column: nil))
            ])
        }
        switch read(path, pinned: pinned) {
        case .success(let contents): text = contents
        case .failure(let reason):
            throw ConfigurationError(diagnostics: [
                .error("cannot read the configuration file: \(reason.text)", at: .init(file: path, line: 1, column: nil))
            ])
        }
        switch (path as NSString).pathExtension.lowercased() {
        case "yaml", "yml":
            return try YAMLConfigurationLoader.load(yaml: text, file: path)
        case "cfg":
            return try HAProxyConfigurationLoader.load(text: text, file: path, environment: ProcessInfo.processInfo.environment)
        default:
            // HAProxy's own test for a configuration: the first directive opens a section.
            if HAProxyConfigurationLoader.looksLikeHAProxy(text) {
                return try HAProxyConfigurationLoader.load(text: text, file: path, environment: ProcessInfo.processInfo.environment)
            }
            throw ConfigurationError(diagnostics: [
                .error("unknown configuration language: name the file *.yaml, *.yml or *.cfg (haproxy.cfg)", at: .init(file: path, line: 1, column: nil))
            ])
        }
    }

    private struct ReadFailure: Error {
        var text: String
    }

    /// Reads the whole file, failing with the system's own words ("No such file or
    /// directory", "Permission denied") rather than Foundation's generic ones.
    private static func read(_ path: String, pinned: PinnedDirectories?) -> Result<String, ReadFailure> {
        let descriptor = pinned?.openReadOnly(path) ?? open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(ReadFailure(text: String(cString: strerror(errno)))) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            let data = try handle.readToEnd() ?? Data()
            guard let text = String(data: data, encoding: .utf8) else {
                return .failure(ReadFailure(text: "the file is not valid UTF-8"))
            }
            return .success(text)
        } catch {
            return .failure(ReadFailure(text: String(cString: strerror(errno))))
        }
    }
}
