#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TLSTerm

/// Confines the process to a directory (`chroot:`, HAProxy's `global chroot`), as HAProxy
/// does: after the listeners are bound and the certificates loaded, before root is dropped
/// (`chroot(2)` needs root, and after it nothing outside the directory can be opened by name).
///
/// What still works afterwards, and how: the configuration file's directory and every
/// certificate's directory were opened before (``PinnedDirectories``), so certificate renewals
/// and SIGHUP reloads read the same paths through those descriptors. A reload that names a file
/// in a directory that was not opened before (a new certificate directory, a resolv.conf) is
/// refused with that reason, logged, and the running configuration keeps serving. The user
/// and group are looked up before the chroot (``PrivilegeDrop/resolve(user:group:)``).
enum ChrootJail {
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// `chroot(directory)` then `chdir("/")` (so no working directory is left outside), then
    /// seals `pinned`.
    static func enter(_ directory: String, pinned: PinnedDirectories) throws(Failure) {
        guard directory.hasPrefix("/") else {
            throw Failure(description: "chroot: '\(directory)' must be an absolute path")
        }
        guard geteuid() == 0 else {
            throw Failure(description: "chroot \(directory) needs proxyd to start as root (it runs as uid \(geteuid())); "
                + "remove 'chroot' (under systemd, RootDirectory= or ProtectSystem= confine it instead) or start proxyd as root")
        }
        guard chroot(directory) == 0 else {
            throw Failure(description: "chroot \(directory) failed: \(String(cString: strerror(errno)))")
        }
        guard chdir("/") == 0 else {
            throw Failure(description: "chdir(\"/\") inside chroot \(directory) failed: \(String(cString: strerror(errno)))")
        }
        pinned.seal(jail: directory)
    }
}
