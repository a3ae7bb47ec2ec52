import Foundation
import TLSTerm

/// How the configuration loaders open the files a configuration names besides itself (error
/// pages): directly, or — once proxyd runs in a `chroot` — through the directories opened
/// before it (``PinnedDirectories``), so that a SIGHUP reload still reads them.
///
/// A task-local value rather than a parameter threaded through every reader: only
/// ``ConfigurationFile/load(path:pinned:)`` sets it, for the one synchronous load it runs.
enum ConfigurationFileAccess {
    @TaskLocal static var pinned: PinnedDirectories?

    /// A read-only descriptor for `path`, or -1 with `errno` set. After the chroot, a path
    /// outside every pinned directory fails with ENOENT.
    static func openReadOnly(_ path: String) -> Int32 {
        if let pinned { return pinned.openReadOnly(path) }
        return open(path, O_RDONLY | O_CLOEXEC)
    }

    /// Every file the configuration reads besides itself, for pinning their directories
    /// before a chroot.
    static func referencedFiles(of configuration: ProxyConfiguration) -> [String] {
        let pages = configuration.listeners.flatMap { $0.errorPages.values } + configuration.backends.flatMap { $0.errorPages.values }
        var files: [String] = []
        for page in pages {
            if case .file(let path) = page.source, !files.contains(path) { files.append(path) }
        }
        return files
    }
}
