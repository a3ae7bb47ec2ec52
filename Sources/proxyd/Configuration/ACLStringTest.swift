/// How an ACL compares a string sample with its patterns: HAProxy's matching methods for
/// strings (`-m str|beg|end|sub|dir|dom|reg|len|found`, manual §7.1 and §7.1.3).
///
/// Patterns are kept as written, except that under `-i` they are stored lower-cased (ASCII),
/// once, at load: the per-request comparison then lower-cases only the sample's bytes, in
/// place, one at a time. Nothing here allocates per request.
enum ACLStringTest: Sendable, Hashable {
    /// `str`: the sample equals a pattern.
    case exact([String])
    /// `beg`: the sample starts with a pattern.
    case prefix([String])
    /// `end`: the sample ends with a pattern.
    case suffix([String])
    /// `sub`: a pattern occurs in the sample.
    case substring([String])
    /// `dir`: a pattern equals a run of the sample delimited by `/` or `?` (or its ends).
    case directory([String])
    /// `dom`: like `dir`, delimited by `/`, `?`, `.` or `:`.
    case domain([String])
    /// `reg`: a regular expression matches somewhere in the sample.
    case regex([ACLRegex])
    /// `len`: the sample's length lies in one of the ranges (`5`, `3:8`, `:10`, `100:`).
    case length([ClosedRange<Int>])
    /// `found`: the sample exists (a header present even when empty, a query string after `?`).
    case found

    /// HAProxy's name of the method, as `-m` takes it.
    var methodName: String {
        switch self {
        case .exact: "str"
        case .prefix: "beg"
        case .suffix: "end"
        case .substring: "sub"
        case .directory: "dir"
        case .domain: "dom"
        case .regex: "reg"
        case .length: "len"
        case .found: "found"
        }
    }

    /// Whether one sample matches. `ignoreCase`: the string patterns are lower-case already.
    func matches(_ sample: UnsafeRawBufferPointer, ignoreCase: Bool) -> Bool {
        switch self {
        case .found: return true
        case .length(let ranges): return ranges.contains { $0.contains(sample.count) }
        case .regex(let regexes): return regexes.contains { $0.matches(sample) }
        case .exact(let patterns):
            return patterns.contains { ACLBytes.equal(sample, 0, sample.count, $0, ignoreCase) }
        case .prefix(let patterns):
            return patterns.contains { $0.utf8.count <= sample.count && ACLBytes.equal(sample, 0, $0.utf8.count, $0, ignoreCase) }
        case .suffix(let patterns):
            return patterns.contains {
                let count = $0.utf8.count
                return count <= sample.count && ACLBytes.equal(sample, sample.count - count, sample.count, $0, ignoreCase)
            }
        case .substring(let patterns):
            return patterns.contains { pattern in
                let count = pattern.utf8.count
                guard count <= sample.count else { return false }
                for start in 0...(sample.count - count) where ACLBytes.equal(sample, start, start + count, pattern, ignoreCase) {
                    return true
                }
                return false
            }
        case .directory(let patterns):
            return patterns.contains { ACLBytes.matchesWord(sample, $0, ignoreCase, delimiters: ACLBytes.directoryDelimiters) }
        case .domain(let patterns):
            return patterns.contains { ACLBytes.matchesWord(sample, $0, ignoreCase, delimiters: ACLBytes.domainDelimiters) }
        }
    }
}

/// Byte comparisons for ACL matching, over a sample in place and a pattern's UTF-8 view
/// (contiguous for native strings: iterating it allocates nothing).
enum ACLBytes {
    /// ASCII lower case, leaving every other byte alone (HAProxy's `tolower` in the C locale).
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// ASCII lower case of a whole pattern, done once at load for `-i`.
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map(lower), as: UTF8.self)
    }

    /// Whether `sample[start..<end]` equals `pattern` (lower-cased when `ignoreCase`).
    @inline(__always)
    static func equal(_ sample: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ pattern: String, _ ignoreCase: Bool) -> Bool {
        let utf8 = pattern.utf8
        guard utf8.count == end - start else { return false }
        var index = start
        for byte in utf8 {
            let value = sample[index]
            if (ignoreCase ? lower(value) : value) != byte { return false }
            index += 1
        }
        return true
    }

    /// `/` and `?`, the delimiters of `-m dir`.
    static let directoryDelimiters: (UInt8, UInt8, UInt8, UInt8) = (0x2F, 0x3F, 0x3F, 0x3F)
    /// `/`, `?`, `.` and `:`, the delimiters of `-m dom`.
    static let domainDelimiters: (UInt8, UInt8, UInt8, UInt8) = (0x2F, 0x3F, 0x2E, 0x3A)

    @inline(__always)
    private static func isDelimiter(_ byte: UInt8, _ d: (UInt8, UInt8, UInt8, UInt8)) -> Bool {
        byte == d.0 || byte == d.1 || byte == d.2 || byte == d.3
    }

    /// HAProxy's `match_word` (src/pattern.c): the pattern, without its leading and trailing
    /// delimiters, equals a run of the sample that starts at the beginning or after a
    /// delimiter and ends at the end or before one. A pattern made only of delimiters matches
    /// nothing.
    static func matchesWord(_ sample: UnsafeRawBufferPointer, _ pattern: String, _ ignoreCase: Bool,
                            delimiters: (UInt8, UInt8, UInt8, UInt8)) -> Bool {
        let utf8 = pattern.utf8
        guard let first = utf8.firstIndex(where: { !isDelimiter($0, delimiters) }),
              let last = utf8.lastIndex(where: { !isDelimiter($0, delimiters) }) else { return false }
        let word = utf8[first...last]
        let length = word.count
        guard length <= sample.count else { return false }
        var mayMatch = true
        var start = 0
        while start <= sample.count - length {
            let byte = sample[start]
            if isDelimiter(byte, delimiters) {
                mayMatch = true
                start += 1
                continue
            }
            if mayMatch {
                var equal = true
                var index = start
                for expected in word {
                    let value = sample[index]
                    if (ignoreCase ? lower(value) : value) != expected { equal = false; break }
                    index += 1
                }
                if equal && (start + length == sample.count || isDelimiter(sample[start + length], delimiters)) { return true }
            }
            mayMatch = false
            start += 1
        }
        return false
    }
}
