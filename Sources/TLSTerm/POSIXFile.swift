#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system calls the certificate store needs, with `errno` kept for error
/// messages. Plain POSIX, because the store must report *why* a file is unreadable and
/// compare inodes and symlink targets (certbot renews by re-pointing `live/` symlinks).
///
/// Every call takes the ``PinnedDirectories`` of a chrooted process (nil otherwise) and works
/// relative to the pinned directory's descriptor (`openat`, `fstatat`), so the same
/// configured path reads the same file before and after `chroot`.
enum POSIXFile {
    /// Where `path` is: a directory descriptor (`AT_FDCWD` when nothing is pinned) and the path
    /// relative to it; throws when the process is jailed and nothing pinned holds `path`.
    private static func locate(_ path: String, _ pinned: PinnedDirectories?) throws(CertificateLoadError) -> (descriptor: Int32, relative: String) {
        guard let pinned else { return (AT_FDCWD, path) }
        guard let location = pinned.locate(path) else {
            throw CertificateLoadError(file: path, problem: .outsideChroot(jail: pinned.jail ?? "/"))
        }
        return location
    }

    /// `fstatat` through ``locate``, following symlinks; nil with `errno` set when it fails.
    private static func status(_ path: String, _ pinned: PinnedDirectories?) -> stat? {
        guard let (descriptor, relative) = try? locate(path, pinned) else {
            errno = ENOENT
            return nil
        }
        var status = stat()
        return fstatat(descriptor, relative, &status, 0) == 0 ? status : nil
    }

    /// The whole file, following symlinks. Throws the `errno` of the failing call.
    static func read(_ path: String, pinned: PinnedDirectories? = nil) throws(CertificateLoadError) -> [UInt8] {
        let (directory, relative) = try locate(path, pinned)
        let fd = openat(directory, relative, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CertificateLoadError(file: path, problem: .unreadable(errno: errno)) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw CertificateLoadError(file: path, problem: .unreadable(errno: errno)) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw CertificateLoadError(file: path, problem: .unreadable(errno: EISDIR))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CertificateLoadError(file: path, problem: .unreadable(errno: errno))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            // Certificate files are a few KB; refuse anything absurd instead of reading it all.
            if bytes.count > 16 * 1024 * 1024 {
                throw CertificateLoadError(file: path, problem: .unreadable(errno: EFBIG))
            }
        }
        return bytes
    }

    /// The identity of the file behind `path` now: its resolved path (all symlinks followed),
    /// device, inode, size and modification time; or the `errno` if it cannot be stat'ed.
    static func fingerprint(_ path: String, pinned: PinnedDirectories? = nil) -> FileFingerprint {
        guard let status = status(path, pinned) else { return FileFingerprint(path: path, state: .missing(errno: errno)) }
        var resolved = path
        if let pinned, let (directory, relative) = pinned.locate(path) {
            // realpath cannot work relative to a descriptor; the link target is what certbot
            // re-points (and the inode changes with it anyway).
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = target.withUnsafeMutableBufferPointer { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return readlinkat(directory, relative, base, buffer.count - 1)
            }
            if count > 0 { resolved = path + " -> " + String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        } else if let real = realpath(path, nil) {
            resolved = String(cString: real)
            free(real)
        }
        return FileFingerprint(path: path, state: .present(
            resolvedPath: resolved,
            device: UInt64(status.st_dev),
            inode: UInt64(status.st_ino),
            size: Int64(status.st_size),
            modifiedSeconds: Int64(status.st_mtim.tv_sec),
            modifiedNanoseconds: Int64(status.st_mtim.tv_nsec)
        ))
    }

    /// True if `path` is a directory (following symlinks).
    static func isDirectory(_ path: String, pinned: PinnedDirectories? = nil) -> Bool {
        guard let status = status(path, pinned) else { return false }
        return (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// True if `path` is a regular file (following symlinks).
    static func isRegularFile(_ path: String, pinned: PinnedDirectories? = nil) -> Bool {
        guard let status = status(path, pinned) else { return false }
        return (status.st_mode & S_IFMT) == S_IFREG
    }

    /// The entry names of a directory, sorted, without `.` and `..`.
    static func listDirectory(_ path: String, pinned: PinnedDirectories? = nil) throws(CertificateLoadError) -> [String] {
        let (directory, relative) = try locate(path, pinned)
        let descriptor = openat(directory, relative, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CertificateLoadError(file: path, problem: .unreadable(errno: errno)) }
        guard let dir = fdopendir(descriptor) else {
            let code = errno
            close(descriptor)
            throw CertificateLoadError(file: path, problem: .unreadable(errno: code))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `strerror` text with the symbolic name for the common cases, e.g. `ENOENT: No such file or directory`.
    static func describe(errno code: Int32) -> String {
        let text = String(cString: strerror(code))
        let names: [Int32: String] = [ENOENT: "ENOENT", EACCES: "EACCES", EISDIR: "EISDIR", ENOTDIR: "ENOTDIR", EFBIG: "EFBIG", ELOOP: "ELOOP"]
        if let name = names[code] { return "\(name): \(text)" }
        return "errno \(code): \(text)"
    }
}

/// `read(2)`, reachable from inside ``POSIXFile`` whose own `read` shadows the name.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

extension POSIXFile {
    /// Seconds since the Unix epoch (`time(2)`); the certificate store's default wall clock.
    static func unixTime() -> Int64 {
        Int64(time(nil))
    }
}
