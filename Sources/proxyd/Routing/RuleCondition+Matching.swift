import HTTPCore

extension RuleCondition {
    /// Whether the condition holds for a request. Compares the request's bytes in place
    /// (target, header values in the parsed head, SNI) with the patterns compiled at load:
    /// no strings are built and nothing is allocated.
    func matches(_ facts: RequestFacts) -> Bool {
        switch self {
        case .always: return true
        case .tls: return facts.isTLS
        case .pathPrefix(let prefixes):
            return facts.withPath { path in
                guard let path else { return false }
                return ACLStringTest.prefix(prefixes).matches(path, ignoreCase: false)
            }
        case .host(let hosts):
            guard let host = facts.host else { return false }
            return RequestFacts.withBytes(of: host) { bytes in
                let name = RequestFacts.hostNameRange(bytes)
                let slice = UnsafeRawBufferPointer(rebasing: bytes[name])
                return hosts.contains { ACLBytes.equal(slice, 0, slice.count, $0, true) }
            }
        case .source(let networks):
            guard let client = facts.clientIP else { return false }
            return networks.contains { $0.contains(client) }
        case .method(let match):
            return facts.withMethodBytes { match.matches($0) }
        case .sample(let match):
            return facts.anySample(match.sample) { match.test.matches($0, ignoreCase: match.ignoreCase) }
        case .not(let inner): return !inner.matches(facts)
        case .all(let parts): return parts.allSatisfy { $0.matches(facts) }
        case .any(let parts): return parts.contains { $0.matches(facts) }
        }
    }
}

extension RequestFacts {
    /// Calls `body` with a string's UTF-8 bytes in place (native strings are contiguous; a
    /// bridged one, which the forwarding path never has, is copied).
    @inline(__always)
    static func withBytes<R>(of text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(text.utf8).withUnsafeBytes(body)
    }

    /// The host name part of a Host value: without the port, without IPv6 brackets.
    static func hostNameRange(_ host: UnsafeRawBufferPointer) -> Range<Int> {
        if host.first == UInt8(ascii: "[") {
            let close = host.firstIndex(of: UInt8(ascii: "]")) ?? host.count
            return 1..<close
        }
        return 0..<(host.firstIndex(of: UInt8(ascii: ":")) ?? host.count)
    }

    /// HAProxy's `path` (src/http.c `http_parse_path`): from the first `/` of an origin-form
    /// target, or after the authority of an absolute-form one, to before `?` (and `#`, which
    /// HAProxy refuses in requests anyway). nil when there is none (`*`, `example.com:443`,
    /// `http://host` without a path).
    func withPath<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
        Self.withBytes(of: target) { target in
            guard let range = Self.pathRange(target) else { return body(nil) }
            return body(UnsafeRawBufferPointer(rebasing: target[range]))
        }
    }

    static func pathRange(_ target: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let first = target.first, !(target.count == 1 && first == UInt8(ascii: "*")) else { return nil }
        var start = 0
        if first != UInt8(ascii: "/") {
            // absolute-form: scheme "://" authority, then the path.
            guard ACLBytes.lower(first) &- UInt8(ascii: "a") < 26 else { return nil }
            var index = 1
            while index < target.count {
                let byte = target[index]
                guard ACLBytes.lower(byte) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10
                        || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { break }
                index += 1
            }
            guard index + 2 < target.count, target[index] == UInt8(ascii: ":"),
                  target[index + 1] == UInt8(ascii: "/"), target[index + 2] == UInt8(ascii: "/") else { return nil }
            index += 3
            while index < target.count && target[index] != UInt8(ascii: "/") { index += 1 }
            guard index < target.count else { return nil }
            start = index
        }
        var end = start
        while end < target.count && target[end] != UInt8(ascii: "?") && target[end] != UInt8(ascii: "#") { end += 1 }
        return start..<end
    }

    /// The method's bytes: from the parsed head, or the known method's name (tests without a head).
    func withMethodBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if case .head(let head) = headers {
            return head.bytes.withUnsafeReadableBytes { bytes in
                body(UnsafeRawBufferPointer(rebasing: bytes[head.head.methodRange]))
            }
        }
        // HTTPCore's own names: small literals, so this allocates nothing.
        var name = method.knownName ?? ""
        return name.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// Calls `body` with each value the sample has, in HAProxy's ACL order, until it returns
    /// true; false when none did (or the sample is absent).
    func anySample(_ sample: ACLSample, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        switch sample {
        case .path:
            return withPath { path in path.map(body) ?? false }
        case .url:
            return Self.withBytes(of: target) { body($0) }
        case .query:
            return Self.withBytes(of: target) { target in
                guard let mark = target.firstIndex(of: UInt8(ascii: "?")) else { return false }
                return body(UnsafeRawBufferPointer(rebasing: target[(mark + 1)...]))
            }
        case .serverName:
            guard isTLS, let serverName else { return false }
            return Self.withBytes(of: serverName) { body($0) }
        case .urlParameter(let name, let delimiter):
            return Self.withBytes(of: target) { target in
                Self.anyURLParameter(in: target, name: name, delimiter: delimiter, body)
            }
        case .header(let name):
            return anyHeaderValue(named: name, body)
        }
    }

    /// Every comma-separated value of every field `name` (lower-case), as HAProxy's `req.hdr`
    /// iterates them for an ACL (src/http_htx.c `__http_find_header`): values split at commas
    /// outside double quotes, spaces and tabs trimmed; an empty field has one empty value.
    func anyHeaderValue(named name: String, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        switch headers {
        case .none:
            return false
        case .lookup(let lookup):
            guard let value = lookup(name) else { return false }
            return Self.withBytes(of: value) { Self.anyListElement($0, body) }
        case .head(let head):
            return head.bytes.withUnsafeReadableBytes { bytes in
                for field in head.head.fields where field.nameRange.upperBound <= bytes.count {
                    let fieldName = UnsafeRawBufferPointer(rebasing: bytes[field.nameRange])
                    guard ACLBytes.equal(fieldName, 0, fieldName.count, name, true) else { continue }
                    if Self.anyListElement(UnsafeRawBufferPointer(rebasing: bytes[field.valueRange]), body) { return true }
                }
                return false
            }
        }
    }

    /// One field value split as HAProxy splits it (`http_find_hdr_value_end`).
    static func anyListElement(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var start = 0
        while true {
            var end = start
            var quoted = false, escaped = false
            while end < value.count {
                let byte = value[end]
                if escaped { escaped = false }
                else if quoted {
                    if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { quoted = false }
                } else if byte == UInt8(ascii: "\"") { quoted = true }
                else if byte == UInt8(ascii: ",") { break }
                end += 1
            }
            var low = start, high = end
            while low < high && (value[low] == 0x20 || value[low] == 0x09) { low += 1 }
            while high > low && (value[high - 1] == 0x20 || value[high - 1] == 0x09) { high -= 1 }
            if body(UnsafeRawBufferPointer(rebasing: value[low..<high])) { return true }
            guard end < value.count else { return false }
            start = end + 1
        }
    }

    /// Every value of the query parameter `name`, found as HAProxy finds them
    /// (src/http.c `http_find_url_param_pos` / `http_find_next_url_param`): parameters start
    /// after the first `delimiter` of the target and are separated by `&`, `;` or `delimiter`.
    static func anyURLParameter(in target: UnsafeRawBufferPointer, name: String, delimiter: UInt8,
                                _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard let mark = target.firstIndex(of: delimiter) else { return false }
        let end = target.count
        let length = name.utf8.count
        @inline(__always) func isDelimiter(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: ";") || byte == delimiter
        }
        var position = mark + 1
        while position < end {
            // Find the next parameter named `name` from `position`.
            var found: Int?
            var scan = position
            while scan < end {
                let equal = scan + length
                if equal >= end { break }
                if target[equal] == UInt8(ascii: "=") {
                    if ACLBytes.equal(target, scan, equal, name, false) { found = scan; break }
                    scan += length + 1
                }
                while scan < end && !isDelimiter(target[scan]) { scan += 1 }
                if scan >= end { break }
                scan += 1
            }
            guard let start = found else { return false }
            let valueStart = start + length + 1
            var valueEnd = valueStart
            while valueEnd < end && !isDelimiter(target[valueEnd]) { valueEnd += 1 }
            if body(UnsafeRawBufferPointer(rebasing: target[valueStart..<valueEnd])) { return true }
            position = valueEnd
        }
        return false
    }
}
