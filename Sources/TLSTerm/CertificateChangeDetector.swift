/// Decides, from successive looks at the watched files, when to reload — the pure part of
/// polling, so its rules are testable without a file system.
///
/// Rules: reload when the files differ from what was loaded last; never retry a state that
/// already failed (one error logged per bad file, not one per poll); when `settle` is asked
/// for, wait until two consecutive looks agree, so that certbot re-pointing `fullchain.pem`
/// and `privkey.pem` one after the other does not produce a transient "key does not match".
struct CertificateChangeDetector: Sendable, Equatable {
    /// What to do after a look.
    enum Decision: Equatable {
        /// Same as loaded (or same as a state that already failed).
        case unchanged
        /// Changed, but different from the previous look: wait one more poll.
        case settling
        /// Changed and stable: load it.
        case reload
    }

    /// The files as they were when the current snapshot was loaded.
    private(set) var loaded: [FileFingerprint]
    private var previousLook: [FileFingerprint]?
    private var failed: [FileFingerprint]?

    /// Starts from the state the first load saw.
    init(loaded: [FileFingerprint]) {
        self.loaded = loaded
    }

    /// One look at the files.
    mutating func observe(_ current: [FileFingerprint], settle: Bool) -> Decision {
        defer { previousLook = current }
        if current == loaded || current == failed { return .unchanged }
        if settle && current != previousLook { return .settling }
        return .reload
    }

    /// A load of `fingerprints` succeeded.
    mutating func didLoad(_ fingerprints: [FileFingerprint]) {
        loaded = fingerprints
        failed = nil
    }

    /// A load of `fingerprints` failed; do not try this exact state again.
    mutating func didFail(_ fingerprints: [FileFingerprint]) {
        failed = fingerprints
    }
}
