import Logging

/// Reads certificate sources from disk into ``LoadedCertificate``s, with every failure as a
/// ``CertificateLoadError`` naming the file.
///
/// Rules (HAProxy's `crt` semantics): certificates and the key may come in any order; the
/// leaf is the certificate matching the key; the remaining certificates are the chain.
struct CertificateLoader {
    /// Where warnings (expired certificate, names that cannot be indexed) go.
    var logger: Logger
    /// Seconds since the Unix epoch, for the expiry warning.
    var now: @Sendable () -> Int64
    /// The directories kept open across a chroot (nil: plain paths).
    var pinned: PinnedDirectories? = nil

    /// Loads every certificate of `sources`, in order.
    func load(_ sources: [CertificateSource]) throws(CertificateLoadError) -> [LoadedCertificate] {
        var loaded: [LoadedCertificate] = []
        for source in sources {
            for concrete in try source.expand(pinned: pinned) {
                loaded.append(try load(concrete))
            }
        }
        return loaded
    }

    /// Loads one concrete (combined or pair) source.
    func load(_ source: CertificateSource) throws(CertificateLoadError) -> LoadedCertificate {
        switch source.kind {
        case .combined(let path):
            let main = try blocks(of: path)
            if main.keys.isEmpty, POSIXFile.isRegularFile(path + ".key", pinned: pinned) {
                let keyFile = try blocks(of: path + ".key")
                return try assemble(certificatesFrom: main, keysFrom: keyFile, files: [path, path + ".key"])
            }
            return try assemble(certificatesFrom: main, keysFrom: main, files: [path])
        case .pair(let chain, let key):
            let chainBlocks = try blocks(of: chain)
            let keyBlocks = try blocks(of: key)
            return try assemble(certificatesFrom: chainBlocks, keysFrom: keyBlocks, files: [chain, key])
        case .directory(let path):
            throw CertificateLoadError(file: path, problem: .emptyDirectory)
        }
    }

    /// The decoded certificates and keys of one file.
    private struct FileBlocks {
        var path: String
        var certificates: [X509Certificate] = []
        var keys: [PrivateKey] = []
        var encryptedKeyLine: Int?
    }

    private func blocks(of path: String) throws(CertificateLoadError) -> FileBlocks {
        let bytes = try POSIXFile.read(path, pinned: pinned)
        let document: PEMDocument
        do {
            document = try PEMDocument(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw CertificateLoadError(file: path, problem: .malformedPEM(line: error.line, reason: error.reason))
        }
        var result = FileBlocks(path: path)
        for block in document.blocks {
            switch block.label {
            case "CERTIFICATE", "X509 CERTIFICATE":
                switch X509Certificate.decode(pem: block.text) {
                case .success(let certificate): result.certificates.append(certificate)
                case .failure(let failure):
                    throw CertificateLoadError(file: path, problem: .undecodableBlock(line: block.line, label: block.label, reason: failure.reason))
                }
            case "ENCRYPTED PRIVATE KEY":
                result.encryptedKeyLine = block.line
            case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
                if block.hasEncryptedHeader {
                    result.encryptedKeyLine = block.line
                    continue
                }
                switch PrivateKey.decode(pem: block.text) {
                case .success(let key): result.keys.append(key)
                case .failure(let failure):
                    throw CertificateLoadError(file: path, problem: .undecodableBlock(line: block.line, label: block.label, reason: failure.reason))
                }
            default:
                // EC PARAMETERS, DH PARAMETERS, OCSP responses...: allowed in a crt file, not used.
                logger.debug("ignoring PEM block", metadata: ["file": "\(path)", "label": "\(block.label)", "line": "\(block.line)"])
            }
        }
        return result
    }

    private func assemble(certificatesFrom certFile: FileBlocks, keysFrom keyFile: FileBlocks, files: [String]) throws(CertificateLoadError) -> LoadedCertificate {
        if keyFile.encryptedKeyLine != nil { throw CertificateLoadError(file: keyFile.path, problem: .encryptedPrivateKey) }
        let keys = certFile.path == keyFile.path ? keyFile.keys : keyFile.keys + certFile.keys
        guard !certFile.certificates.isEmpty else { throw CertificateLoadError(file: certFile.path, problem: .noCertificate) }
        guard let key = keys.first else { throw CertificateLoadError(file: keyFile.path, problem: .noPrivateKey) }
        guard keys.count == 1 else { throw CertificateLoadError(file: keyFile.path, problem: .multiplePrivateKeys) }
        guard let keyType = key.keyType else { throw CertificateLoadError(file: keyFile.path, problem: .unsupportedKeyType) }
        guard let leafIndex = certFile.certificates.firstIndex(where: { $0.matches(key) }) else {
            throw CertificateLoadError(file: keyFile.path, problem: .keyDoesNotMatchCertificate)
        }
        let leaf = certFile.certificates[leafIndex]
        var rest = certFile.certificates
        rest.remove(at: leafIndex)
        let chain = Self.orderChain(from: leaf, rest)
        let names = Self.serverNames(of: leaf)
        if names.isEmpty {
            logger.warning("certificate has no DNS name; it can only serve as the default", metadata: ["file": "\(certFile.path)", "subject": "\(leaf.subject)"])
        }
        let info = CertificateInfo(
            files: files, subject: leaf.subject, serverNames: names, serialNumber: leaf.serialNumber,
            notBefore: leaf.notBefore, notAfter: leaf.notAfter, keyType: keyType, chainLength: chain.count
        )
        if info.isExpired(at: now()) {
            logger.warning("certificate has expired; serving it anyway", metadata: [
                "file": "\(certFile.path)", "subject": "\(info.subject)", "notAfter": "\(info.notAfter)",
            ])
        }
        return LoadedCertificate(leaf: leaf, chain: chain, key: key, info: info)
    }

    /// Orders the chain from the leaf upward by issuer; certificates that link to nothing keep
    /// their file order at the end (a client may still use them, as with HAProxy).
    static func orderChain(from leaf: X509Certificate, _ others: [X509Certificate]) -> [X509Certificate] {
        var remaining = others
        var ordered: [X509Certificate] = []
        var current = leaf
        while let next = remaining.firstIndex(where: { current.isIssued(by: $0) }) {
            current = remaining.remove(at: next)
            ordered.append(current)
        }
        return ordered + remaining
    }

    /// SAN DNS names, or the CN when there is no SAN extension; lower-cased, trailing dot removed.
    static func serverNames(of certificate: X509Certificate) -> [String] {
        let raw = certificate.subjectAltDNSNames ?? certificate.commonName.map { [$0] } ?? []
        var seen = Set<String>()
        return raw.compactMap { HostnameTable<Int>.normalize($0) }.filter { seen.insert($0).inserted }
    }
}
