#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// Directories opened by descriptor before the process confines itself with `chroot(2)`, so
/// that the files under them stay reachable — by the paths they were configured with — after
/// the rest of the file system has vanished from view.
///
/// Why: HAProxy loads its certificates before `chroot` and can only renew them by restarting.
/// proxyd watches certificate files and reloads them in place (certbot renewals), so it keeps
/// a descriptor of each certificate's directory and reads through `openat`/`fstatat` relative
/// to it. Relative symlinks (certbot's `live/x/fullchain.pem → ../../archive/x/fullchainN.pem`)
/// resolve from the real directory, so renewals keep working; absolute symlinks resolve inside
/// the jail.
///
/// What it costs: code running in the process can reach the parents of a pinned directory that
/// lies outside the jail through `..` on its descriptor. The jail still confines every plain
/// path (no `/bin/sh`, no `/etc/shadow` by name); for a complete jail keep the files inside
/// the chroot directory — a pinned directory inside the jail cannot climb out of it.
///
/// After ``seal(jail:)`` no directory can be pinned any more: a path under none of the pinned
/// directories is reported as outside the jail instead of being looked up inside it.
public final class PinnedDirectories: Sendable {
    private struct State {
        var descriptors: [String: Int32] = [:]
        var jail: String?
    }

    private let state = NIOLockedValueBox(State())
    /// The working directory when this was created: relative configured paths are resolved
    /// against it, before and after the chroot alike.
    private let workingDirectory: String

    /// An empty set; relative paths resolve against the current working directory.
    public init() {
        if let cwd = getcwd(nil, 0) {
            workingDirectory = String(cString: cwd)
            free(cwd)
        } else {
            workingDirectory = "/"
        }
    }

    deinit {
        for descriptor in state.withLockedValue({ $0.descriptors.values }) { close(descriptor) }
    }

    /// The chroot directory once sealed, nil before.
    public var jail: String? { state.withLockedValue { $0.jail } }

    /// The directories pinned so far, absolute.
    public var directories: [String] { state.withLockedValue { $0.descriptors.keys.sorted() } }

    /// Opens `directory` now (unless it, or a directory above it, already is). Returns false
    /// when it cannot be opened or the set is sealed — the later read then reports why.
    @discardableResult
    public func pin(directory: String) -> Bool {
        let absolute = Self.normalize(directory, in: workingDirectory)
        return state.withLockedValue { state in
            if Self.longestPrefix(of: absolute, in: state.descriptors) != nil { return true }
            guard state.jail == nil else { return false }
            let descriptor = open(absolute, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            state.descriptors[absolute] = descriptor
            return true
        }
    }

    /// Pins the directory `file` is in.
    @discardableResult
    public func pin(directoryOf file: String) -> Bool {
        let absolute = Self.normalize(file, in: workingDirectory)
        guard let slash = absolute.lastIndex(of: "/") else { return false }
        let parent = absolute[..<slash]
        return pin(directory: parent.isEmpty ? "/" : String(parent))
    }

    /// Records that the process is now confined to `jail`; no directory is pinned afterwards.
    public func seal(jail: String) {
        state.withLockedValue { $0.jail = jail }
    }

    /// Opens `path` read-only (`O_CLOEXEC`) through the pinned directory that holds it, or
    /// plainly when none does and the process is not jailed. Returns the descriptor, or -1
    /// with `errno` set (`ENOENT` when jailed and no pinned directory holds `path`).
    public func openReadOnly(_ path: String) -> Int32 {
        guard let (descriptor, relative) = locate(path) else {
            errno = ENOENT
            return -1
        }
        return openat(descriptor, relative, O_RDONLY | O_CLOEXEC)
    }

    /// Whether `path` is a directory, looked at through the pinned directory that holds it.
    public func isDirectory(_ path: String) -> Bool {
        POSIXFile.isDirectory(path, pinned: self)
    }

    /// Whether `path` is a regular file, looked at through the pinned directory that holds it.
    public func isRegularFile(_ path: String) -> Bool {
        POSIXFile.isRegularFile(path, pinned: self)
    }

    /// Whether `path` can be reached: the process is not jailed, or a pinned directory holds it.
    public func reaches(_ path: String) -> Bool {
        locate(path) != nil
    }

    /// Where to find `path`: a pinned directory's descriptor and the path below it; the
    /// current directory (`AT_FDCWD`) and the path itself when nothing is pinned above it and
    /// the process is not jailed; nil when it is jailed and `path` lies under no pinned
    /// directory.
    func locate(_ path: String) -> (descriptor: Int32, relative: String)? {
        let absolute = Self.normalize(path, in: workingDirectory)
        return state.withLockedValue { state in
            if let (directory, descriptor) = Self.longestPrefix(of: absolute, in: state.descriptors) {
                let rest = absolute.dropFirst(directory.count).drop(while: { $0 == "/" })
                return (descriptor, rest.isEmpty ? "." : String(rest))
            }
            return state.jail == nil ? (AT_FDCWD, path) : nil
        }
    }

    private static func longestPrefix(of path: String, in descriptors: [String: Int32]) -> (String, Int32)? {
        descriptors
            .filter { directory, _ in directory == "/" || path == directory || path.hasPrefix(directory + "/") }
            .max { $0.key.count < $1.key.count }
            .map { ($0.key, $0.value) }
    }

    /// `path` made absolute against `directory`, with `.`, `..` and repeated slashes removed
    /// (lexically: a configured path names the same file before and after the chroot).
    static func normalize(_ path: String, in directory: String) -> String {
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
