/// What a configured certificate path pointed at when it was last looked at.
///
/// Certbot renews by writing `archive/<name>/fullchainN.pem` and re-pointing the
/// `live/<name>/fullchain.pem` symlink; editors and `cp` rewrite in place. The resolved path
/// catches the first, inode + size + mtime the second, so polling this is enough to notice
/// every way a certificate is replaced without inotify.
struct FileFingerprint: Sendable, Hashable {
    /// The state of the file behind ``path``.
    enum State: Sendable, Hashable {
        /// `stat` failed with this errno.
        case missing(errno: Int32)
        /// The file exists.
        case present(resolvedPath: String, device: UInt64, inode: UInt64, size: Int64,
                     modifiedSeconds: Int64, modifiedNanoseconds: Int64)
    }

    /// The path as configured.
    var path: String
    /// What it points at now.
    var state: State
}
