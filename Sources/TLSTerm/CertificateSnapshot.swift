import COpenSSL
import CTLSShim

/// One immutable generation of loaded certificates: an `SSL_CTX` per certificate group and
/// the SNI table over them. A reload builds a new snapshot and swaps it in whole, so a
/// handshake sees either the old set or the new one, never a mix.
final class CertificateSnapshot: Sendable {
    /// Certificate contexts; the table's values index into it.
    let contexts: [SSLContext]
    /// SNI name or wildcard → index into ``contexts``.
    let table: HostnameTable<Int>
    /// Index of the context for clients without SNI or with an unknown name.
    let defaultIndex: Int
    /// What was loaded, in load order.
    let certificates: [CertificateInfo]
    /// The watched files' state as seen just before loading.
    let fingerprints: [FileFingerprint]
    /// 1 for the first load, +1 per successful reload.
    let generation: Int

    /// The context for a ClientHello's server name: exact, then wildcard, then the default.
    func context(forServerName serverName: String?) -> SSLContext {
        if let serverName, let index = table.lookup(serverName) { return contexts[index] }
        return contexts[defaultIndex]
    }

    /// Builds contexts for `loaded` (at least one certificate).
    ///
    /// Each name maps to at most one certificate per key type (the one that expires last);
    /// names covered by the same certificates share one `SSL_CTX`. Both an RSA and an ECDSA
    /// certificate go into that one context, and OpenSSL serves the one the client's
    /// signature algorithms and cipher list allow (ECDSA when the client offers it first).
    init(
        loaded: [LoadedCertificate], configuration: TLSConfiguration,
        fingerprints: [FileFingerprint], generation: Int
    ) throws(CertificateLoadError) {
        var perName: [String: [Int]] = [:]
        var nameOrder: [String] = []
        for (index, certificate) in loaded.enumerated() {
            for name in certificate.info.serverNames {
                if perName[name] == nil { nameOrder.append(name) }
                perName[name, default: []].append(index)
            }
        }
        var groupIndex: [[Int]: Int] = [:]
        var groups: [[Int]] = []
        func group(for members: [Int]) -> Int {
            if let existing = groupIndex[members] { return existing }
            groups.append(members)
            groupIndex[members] = groups.count - 1
            return groups.count - 1
        }
        var table = HostnameTable<Int>()
        var nameGroups: [String: Int] = [:]
        for name in nameOrder {
            let members = Self.bestPerKeyType(perName[name] ?? [], loaded)
            let index = group(for: members)
            nameGroups[name] = index
            table.insert(name, index)
        }
        // HAProxy: the first certificate configured is the default one.
        let defaultIndex = loaded.first?.info.serverNames.first.flatMap { nameGroups[$0] } ?? group(for: [0])

        var contexts: [SSLContext] = []
        for members in groups {
            contexts.append(try Self.makeContext(members.map { loaded[$0] }, configuration))
        }
        self.contexts = contexts
        self.table = table
        self.defaultIndex = defaultIndex
        self.certificates = loaded.map(\.info)
        self.fingerprints = fingerprints
        self.generation = generation
    }

    /// For one name: per key type, the certificate that expires last (first loaded on a tie).
    private static func bestPerKeyType(_ candidates: [Int], _ loaded: [LoadedCertificate]) -> [Int] {
        var best: [CertificateKeyType: Int] = [:]
        for index in candidates {
            let type = loaded[index].info.keyType
            if let current = best[type], loaded[current].info.notAfter >= loaded[index].info.notAfter { continue }
            best[type] = index
        }
        return best.values.sorted()
    }

    private static func makeContext(_ members: [LoadedCertificate], _ configuration: TLSConfiguration) throws(CertificateLoadError) -> SSLContext {
        let file = members.first?.info.files.first ?? "?"
        let context: SSLContext
        do {
            context = try SSLContext(configuration: configuration)
        } catch {
            throw CertificateLoadError(file: file, problem: .rejectedByOpenSSL(reason: error.description))
        }
        for member in members {
            let memberFile = member.info.files.first ?? file
            OpenSSLErrorQueue.clear()
            guard SSL_CTX_use_certificate(context.pointer, member.leaf.pointer) == 1,
                SSL_CTX_use_PrivateKey(context.pointer, member.key.pointer) == 1
            else {
                throw CertificateLoadError(file: memberFile, problem: .rejectedByOpenSSL(reason: OpenSSLErrorQueue.drain()))
            }
            // Chain certificates attach to the certificate just set (per key type).
            for intermediate in member.chain {
                guard ctlsshim_ctx_add1_chain_cert(context.pointer, intermediate.pointer) == 1 else {
                    throw CertificateLoadError(file: memberFile, problem: .rejectedByOpenSSL(reason: OpenSSLErrorQueue.drain()))
                }
            }
        }
        return context
    }
}
