public import Logging
import NIOConcurrencyHelpers

/// The certificates a TLS listener serves, selected per connection by SNI, reloadable while
/// connections are open.
///
/// - Selection: the exact SNI name, then a one-label wildcard, then the default certificate
///   (the first one configured, as in HAProxy). An RSA and an ECDSA certificate for the same
///   name are both served; OpenSSL gives ECDSA to clients that support it.
/// - Reload: ``reload()`` (SIGHUP, admin API) or ``watch(every:)`` (polls the files' inode,
///   mtime, size and symlink target; certbot renews by re-pointing `live/` symlinks) builds a
///   complete new snapshot of `SSL_CTX`s and swaps it in atomically. New handshakes use it;
///   open connections keep the context they started with (OpenSSL reference-counts it). If
///   any file of the new set is bad, nothing changes: the old certificates keep serving and the
///   error is logged and kept in ``status``.
/// - Expired certificates load with a warning; ``certificates`` exposes every notAfter for
///   metrics.
public final class CertificateStore: Sendable {
    /// The protocol settings every certificate context gets.
    public let configuration: TLSConfiguration
    /// What is loaded, as configured.
    public let sources: [CertificateSource]

    private let logger: Logger
    /// The directories kept open across a chroot, read through on every (re)load.
    private let pinned: PinnedDirectories?
    private let wallClock: @Sendable () -> Int64
    private let current: NIOLockedValueBox<CertificateSnapshot>
    private let reloadState: NIOLockedValueBox<ReloadState>
    /// Held for a whole reload, so a SIGHUP `reload()` and the watcher never load at the same
    /// time (handshakes only ever take `current`, briefly).
    private let reloading = NIOLock()

    private struct ReloadState {
        var detector: CertificateChangeDetector
        var lastError: CertificateLoadError?
        var failedReloads = 0
    }

    /// Loads `sources` (all must load, else this throws the first ``CertificateLoadError``;
    /// a bad `configuration` throws ``TLSConfigurationError``).
    ///
    /// - Parameters:
    ///   - sources: the certificates to serve, in order; the first one's certificate is the
    ///     default for clients whose SNI matches no certificate (or that send none).
    ///   - configuration: the protocol policy every `SSL_CTX` of the store is built with; it is
    ///     checked here, so a policy OpenSSL refuses fails before any certificate is read.
    ///   - logger: where loads, reloads, expired certificates and watch failures are reported.
    ///   - wallClock: seconds since the Unix epoch, for expiry checks; nil means `time(2)`.
    ///   - pinned: for a process that will `chroot`: the directories of `sources` are pinned
    ///     in it now, and every later load reads through them (see ``PinnedDirectories``).
    public init(
        sources: [CertificateSource],
        configuration: TLSConfiguration = .mozillaIntermediate,
        logger: Logger,
        wallClock: (@Sendable () -> Int64)? = nil,
        pinned: PinnedDirectories? = nil
    ) throws {
        let wallClock = wallClock ?? { POSIXFile.unixTime() }
        // Surface configuration mistakes as themselves, not as a certificate problem.
        _ = try SSLContext(configuration: configuration)
        self.configuration = configuration
        self.sources = sources
        self.logger = logger
        self.wallClock = wallClock
        self.pinned = pinned
        guard !sources.isEmpty else {
            throw CertificateLoadError(file: "(no certificate sources)", problem: .noCertificate)
        }
        if let pinned {
            for source in sources {
                let (files, directories) = source.directoriesToPin
                for file in files { pinned.pin(directoryOf: file) }
                for directory in directories { pinned.pin(directory: directory) }
            }
        }
        let fingerprints = Self.fingerprints(of: sources, pinned)
        let snapshot = try Self.load(sources, configuration, logger, wallClock, fingerprints, generation: 1, pinned)
        self.current = NIOLockedValueBox(snapshot)
        self.reloadState = NIOLockedValueBox(ReloadState(detector: CertificateChangeDetector(loaded: fingerprints)))
        logger.info("certificates loaded", metadata: Self.metadata(snapshot))
    }

    /// The certificates of the current snapshot, in load order (for metrics: notAfter, serial).
    public var certificates: [CertificateInfo] {
        current.withLockedValue { $0.certificates }
    }

    /// The outcome of the latest reloads.
    public var status: CertificateStoreStatus {
        let generation = current.withLockedValue { $0.generation }
        return reloadState.withLockedValue { state in
            CertificateStoreStatus(generation: generation, lastError: state.lastError, failedReloads: state.failedReloads)
        }
    }

    /// Certificates whose notAfter has passed (they still serve; alert on this).
    public var expiredCertificates: [CertificateInfo] {
        let now = wallClock()
        return certificates.filter { $0.isExpired(at: now) }
    }

    /// Loads every source again now and swaps the result in. On error the previous
    /// certificates stay in service, the error is logged, kept in ``status`` and thrown.
    public func reload() throws(CertificateLoadError) {
        try performReload(fingerprints: Self.fingerprints(of: sources, pinned))
    }

    /// Reloads if any watched file changed since the last load (and it is not a state that
    /// already failed). With `settle`, a change is loaded only once two consecutive calls saw
    /// the same files, so a renewal caught half-way is not reported as an error.
    @discardableResult
    public func reloadIfChanged(settle: Bool = false) -> CertificateReloadResult {
        let fingerprints = Self.fingerprints(of: sources, pinned)
        let decision = reloadState.withLockedValue { $0.detector.observe(fingerprints, settle: settle) }
        switch decision {
        case .unchanged: return .unchanged
        case .settling: return .settling
        case .reload:
            do {
                try performReload(fingerprints: fingerprints)
                return .reloaded
            } catch {
                return .failed(error)
            }
        }
    }

    /// Polls the files every `interval` until the task is cancelled, reloading changes once
    /// they have settled (see ``reloadIfChanged(settle:)``). Run it in a task of its own (or as
    /// a swift-service-lifecycle service); the work per poll is a few `stat` calls.
    public func watch(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            reloadIfChanged(settle: true)
        }
    }

    /// The context for a ClientHello's server name (exact → wildcard → default).
    func context(forServerName serverName: String?) -> SSLContext {
        current.withLockedValue { $0.context(forServerName: serverName) }
    }

    private func performReload(fingerprints: [FileFingerprint]) throws(CertificateLoadError) {
        reloading.lock()
        defer { reloading.unlock() }
        try performReloadLocked(fingerprints: fingerprints)
    }

    private func performReloadLocked(fingerprints: [FileFingerprint]) throws(CertificateLoadError) {
        let generation = current.withLockedValue { $0.generation } + 1
        do {
            let snapshot = try Self.load(sources, configuration, logger, wallClock, fingerprints, generation: generation, pinned)
            current.withLockedValue { $0 = snapshot }
            reloadState.withLockedValue { state in
                state.detector.didLoad(fingerprints)
                state.lastError = nil
            }
            logger.info("certificates reloaded", metadata: Self.metadata(snapshot))
        } catch {
            reloadState.withLockedValue { state in
                state.detector.didFail(fingerprints)
                state.lastError = error
                state.failedReloads += 1
            }
            logger.error("certificate reload failed; the previous certificates keep serving", metadata: [
                "file": "\(error.file)", "error": "\(error)",
            ])
            throw error
        }
    }

    private static func load(
        _ sources: [CertificateSource], _ configuration: TLSConfiguration, _ logger: Logger,
        _ wallClock: @escaping @Sendable () -> Int64, _ fingerprints: [FileFingerprint], generation: Int,
        _ pinned: PinnedDirectories?
    ) throws(CertificateLoadError) -> CertificateSnapshot {
        let loader = CertificateLoader(logger: logger, now: wallClock, pinned: pinned)
        let loaded = try loader.load(sources)
        return try CertificateSnapshot(loaded: loaded, configuration: configuration, fingerprints: fingerprints, generation: generation)
    }

    private static func fingerprints(of sources: [CertificateSource], _ pinned: PinnedDirectories?) -> [FileFingerprint] {
        sources.flatMap { $0.watchedPaths(pinned: pinned) }.map { POSIXFile.fingerprint($0, pinned: pinned) }
    }

    private static func metadata(_ snapshot: CertificateSnapshot) -> Logger.Metadata {
        [
            "generation": "\(snapshot.generation)",
            "certificates": .array(snapshot.certificates.map {
                "\($0.serverNames.joined(separator: ",")) \($0.keyType) serial=\($0.serialNumber) notAfter=\($0.notAfter)"
            }),
        ]
    }
}

/// The outcome of ``CertificateStore/reloadIfChanged(settle:)``.
public enum CertificateReloadResult: Sendable, Hashable {
    /// No watched file changed (or they are in a state that already failed to load).
    case unchanged
    /// Files changed but are still changing; the next poll decides.
    case settling
    /// The new certificates are serving.
    case reloaded
    /// The new files are bad; the previous certificates keep serving.
    case failed(CertificateLoadError)
}

/// Reload bookkeeping of a ``CertificateStore``, for the admin API and metrics.
public struct CertificateStoreStatus: Sendable, Hashable {
    /// 1 after the first load, +1 per successful reload.
    public var generation: Int
    /// The error of the latest reload attempt, nil once a reload succeeds.
    public var lastError: CertificateLoadError?
    /// Reload attempts that failed since startup.
    public var failedReloads: Int
}
