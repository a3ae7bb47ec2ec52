import Foundation

/// The file HAProxy's `pidfile` names: the process ID and a newline, written at start while
/// proxyd may still write there (before `chroot` and the privilege drop), so that scripts and
/// monitors written for HAProxy (`kill -USR2 $(cat /run/haproxy.pid)`) find the process.
struct PIDFile {
    struct WriteError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot write the pidfile \(path): \(reason)" }
    }

    let path: String

    /// Writes `pid` atomically (a temporary file renamed over the old one), mode 0644.
    func write(pid: Int32 = getpid()) throws(WriteError) {
        do {
            try Data("\(pid)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        } catch {
            throw WriteError(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Removes the file if it still names `pid`; after a privilege drop or a chroot this may no
    /// longer be possible, which is not an error (HAProxy leaves it too).
    func remove(ifOwnedBy pid: Int32 = getpid()) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              text.trimmingCharacters(in: .whitespacesAndNewlines) == String(pid) else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
