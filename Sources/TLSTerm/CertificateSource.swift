/// Where a ``CertificateStore`` reads certificates from.
///
/// The three shapes a Let's Encrypt / HAProxy deployment has: HAProxy's `crt` file (chain and
/// key concatenated, any order), certbot's `fullchain.pem` + `privkey.pem`, and a directory of
/// either (HAProxy's `crt /etc/haproxy/certs/`, or certbot's `/etc/letsencrypt/live/`).
public struct CertificateSource: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case combined(path: String)
        case pair(chain: String, key: String)
        case directory(path: String)
    }

    let kind: Kind

    /// One PEM file with the leaf, its intermediates and its private key, in any order —
    /// HAProxy's `crt`. If the file holds no key, `<path>.key` is read (HAProxy does the same).
    public static func combinedPEM(_ path: String) -> CertificateSource {
        CertificateSource(kind: .combined(path: path))
    }

    /// A certificate chain file and a separate key file, e.g. certbot's
    /// `/etc/letsencrypt/live/example.com/fullchain.pem` and `privkey.pem`. Symlinks are
    /// followed on every load, so certbot's renewals are picked up.
    public static func pair(certificateChain: String, privateKey: String) -> CertificateSource {
        CertificateSource(kind: .pair(chain: certificateChain, key: privateKey))
    }

    /// A certbot lineage directory, `/etc/letsencrypt/live/<name>`: its `fullchain.pem` and
    /// `privkey.pem`.
    public static func certbot(liveDirectory: String) -> CertificateSource {
        let base = liveDirectory.hasSuffix("/") ? String(liveDirectory.dropLast()) : liveDirectory
        return .pair(certificateChain: base + "/fullchain.pem", privateKey: base + "/privkey.pem")
    }

    /// Every certificate in a directory, in name order: each subdirectory holding
    /// `fullchain.pem` + `privkey.pem` (certbot's `live/`) is a pair; every other `*.pem`,
    /// `*.crt` or `*.cer` file is a combined PEM. Files named `*.key` are only read as the key
    /// of their certificate, and certbot's `README` is ignored.
    public static func directory(_ path: String) -> CertificateSource {
        CertificateSource(kind: .directory(path: path))
    }

    /// The directories to keep open across a chroot so this source can be read again: a
    /// file's directory, or the directory itself.
    var directoriesToPin: (files: [String], directories: [String]) {
        switch kind {
        case .combined(let path): ([path], [])
        case .pair(let chain, let key): ([chain, key], [])
        case .directory(let path): ([], [path])
        }
    }

    public var description: String {
        switch kind {
        case .combined(let path): "combined PEM \(path)"
        case .pair(let chain, let key): "certificate \(chain) with key \(key)"
        case .directory(let path): "directory \(path)"
        }
    }

    /// The concrete files this source stands for right now (a directory is listed again).
    func expand(pinned: PinnedDirectories? = nil) throws(CertificateLoadError) -> [CertificateSource] {
        switch kind {
        case .combined, .pair:
            return [self]
        case .directory(let path):
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            var sources: [CertificateSource] = []
            for name in try POSIXFile.listDirectory(base, pinned: pinned) where !name.hasPrefix(".") {
                let entry = base + "/" + name
                if POSIXFile.isDirectory(entry, pinned: pinned) {
                    if POSIXFile.isRegularFile(entry + "/fullchain.pem", pinned: pinned) && POSIXFile.isRegularFile(entry + "/privkey.pem", pinned: pinned) {
                        sources.append(.certbot(liveDirectory: entry))
                    }
                } else if name.hasSuffix(".pem") || name.hasSuffix(".crt") || name.hasSuffix(".cer") {
                    sources.append(.combinedPEM(entry))
                }
            }
            guard !sources.isEmpty else { throw CertificateLoadError(file: path, problem: .emptyDirectory) }
            return sources
        }
    }

    /// The files whose change means this source must be loaded again.
    func watchedPaths(pinned: PinnedDirectories? = nil) -> [String] {
        switch kind {
        case .combined(let path): return [path, path + ".key"]
        case .pair(let chain, let key): return [chain, key]
        case .directory(let path):
            // The directory itself (entries added/removed) plus everything it expands to now.
            let expanded = (try? expand(pinned: pinned)) ?? []
            return [path] + expanded.flatMap { $0.watchedPaths(pinned: pinned) }
        }
    }
}
