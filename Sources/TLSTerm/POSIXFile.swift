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
enum POSIXFile {
    /// The whole file, following symlinks. Throws the `errno` of the failing call.
    static func read(_ path: String) throws(CertificateLoadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
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
    static func fingerprint(_ path: String) -> FileFingerprint {
        var status = stat()
        guard stat(path, &status) == 0 else { return FileFingerprint(path: path, state: .missing(errno: errno)) }
        var resolved = path
        if let real = realpath(path, nil) {
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
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// True if `path` is a regular file (following symlinks).
    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// The entry names of a directory, sorted, without `.` and `..`.
    static func listDirectory(_ path: String) throws(CertificateLoadError) -> [String] {
        guard let dir = opendir(path) else { throw CertificateLoadError(file: path, problem: .unreadable(errno: errno)) }
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
