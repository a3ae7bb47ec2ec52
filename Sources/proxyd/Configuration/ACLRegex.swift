import Glibc

/// A regular expression of an ACL (`path_reg`, `hdr_reg`, `-m reg`), compiled once when the
/// configuration loads and shared by every request and event loop.
///
/// HAProxy 2.6 (Debian's build) uses PCRE2; proxyd uses POSIX extended regular expressions
/// from the C library (`regcomp` with `REG_EXTENDED | REG_NOSUB`), so that no dependency is
/// added. The common subset is the same: anchors, classes `[...]`, groups, alternation, `?`,
/// `*`, `+`, `{m,n}`, and the POSIX classes `[[:digit:]]`. PCRE's shorthand escapes (`\d`,
/// `\w`, `\s`, `\b`), lazy quantifiers (`*?`), look-around (`(?=`, `(?!`, `(?<`) and inline flags
/// (`(?i)`) mean something else or nothing in POSIX, so a pattern using them is refused at load
/// with the reason instead of silently matching differently.
///
/// Equality and hashing are the pattern's source and flags: two configurations that write
/// the same regex compare equal, which is what reload's diff needs.
struct ACLRegex: Sendable, Hashable {
    /// The pattern as written.
    let pattern: String
    /// `-i`: compiled with `REG_ICASE`.
    let ignoreCase: Bool
    private let compiled: Compiled

    init(_ pattern: String, ignoreCase: Bool) throws(HAProxyLineError) {
        if let construct = Self.pcreOnlyConstruct(in: pattern) {
            throw HAProxyLineError("regex '\(pattern)' uses \(construct), which is PCRE syntax: proxyd compiles POSIX extended regular expressions (write [0-9] for \\d, [[:alnum:]_] for \\w, [[:space:]] for \\s)")
        }
        self.pattern = pattern
        self.ignoreCase = ignoreCase
        self.compiled = try Compiled(pattern, flags: REG_EXTENDED | REG_NOSUB | (ignoreCase ? REG_ICASE : 0))
    }

    /// Whether the regex matches anywhere in `bytes` (unanchored, as HAProxy's `regex_exec`).
    /// No copy and no terminating NUL: glibc's `REG_STARTEND` bounds the subject.
    func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return compiled.matchesEmpty }
        var bounds = regmatch_t(rm_so: 0, rm_eo: regoff_t(bytes.count))
        return compiled.execute(base.assumingMemoryBound(to: CChar.self), &bounds)
    }

    static func == (a: ACLRegex, b: ACLRegex) -> Bool { a.pattern == b.pattern && a.ignoreCase == b.ignoreCase }
    func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(ignoreCase)
    }

    /// The first PCRE-only construct in `pattern`, described for the error message.
    private static func pcreOnlyConstruct(in pattern: String) -> String? {
        var escaped = false
        var previous: Character?
        for character in pattern {
            if escaped {
                escaped = false
                if "dDwWsSbBAZzQEKpPhHvVRX".contains(character) { return "'\\\(character)'" }
                previous = nil
                continue
            }
            if character == "\\" { escaped = true; continue }
            if character == "?", let previous, "*+?}".contains(previous) { return "a lazy or possessive quantifier ('\(previous)?')" }
            if character == "?", previous == "(" { return "a '(?' group (look-around, inline flags or a non-capturing group)" }
            previous = character
        }
        return nil
    }

    /// Owns the `regex_t`. `regexec` on a compiled expression is thread-safe (POSIX; glibc
    /// locks its lazily built DFA cache), and the expression is never changed after `regcomp`:
    /// that is what makes sharing it between event loops safe.
    private final class Compiled: @unchecked Sendable {
        /// Allocated once and never moved, so no Swift access to it is ever "inout".
        private let regex = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        /// Whether the empty subject matches (for a sample with no storage behind it).
        let matchesEmpty: Bool

        init(_ pattern: String, flags: Int32) throws(HAProxyLineError) {
            regex.initialize(to: regex_t())
            let status = regcomp(regex, pattern, flags)
            guard status == 0 else {
                var message = [CChar](repeating: 0, count: 256)
                regerror(status, regex, &message, message.count)
                regex.deallocate()
                let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw HAProxyLineError("regex '\(pattern)' does not compile: \(reason)")
            }
            matchesEmpty = regexec(regex, "", 0, nil, 0) == 0
        }

        func execute(_ subject: UnsafePointer<CChar>, _ bounds: inout regmatch_t) -> Bool {
            regexec(regex, subject, 1, &bounds, REG_STARTEND) == 0
        }

        deinit {
            regfree(regex)
            regex.deallocate()
        }
    }
}
