import Foundation

/// Compiles one ACL criterion (`path_end -i .php`, `src -f /etc/haproxy/office.lst`,
/// `hdr_sub(user-agent) curl`) into a ``RuleCondition``, as HAProxy 2.6 reads it
/// (manual §7.1, src/acl.c `parse_acl_expr`): the fetch, then flags, then patterns.
///
/// Flags: `-i` (ignore case), `-m METHOD` (`str beg end sub dir dom reg len found`, and `ip`
/// for `src`), `-f FILE` (patterns one per line; blank lines and lines starting with `#`
/// skipped, leading blanks stripped; a relative path is opened from the working directory, as
/// HAProxy does), `-n` (no DNS: proxyd never resolves names in ACLs, so it changes nothing),
/// `--` (end of flags). `-M` and `-u` (maps and runtime ACL ids for HAProxy's CLI) are refused.
enum HAProxyACLCriterionParser {
    /// The fetches proxyd evaluates, as HAProxy names them.
    static let supportedCriteria = "ssl_fc, src, method, path, path_beg, path_end, path_sub, path_dir, path_dom, path_reg, path_len, url (and url_*), query, hdr(NAME), req.hdr(NAME), hdr_beg/end/sub/dir/dom/reg/len(NAME), urlp(NAME) / url_param(NAME), urlp_*(NAME), ssl_fc_sni, ssl_fc_sni_end, ssl_fc_sni_reg"

    /// The string matching methods `-m` takes, by HAProxy's name.
    private static let stringMethods = ["str", "beg", "end", "sub", "dir", "dom", "reg", "len", "found"]

    /// Reads one criterion with its flags and patterns.
    static func criterion(_ words: ArraySlice<String>, openFile: (String) throws -> String = Self.readFile) throws(HAProxyLineError) -> RuleCondition {
        guard let fetchWord = words.first else { throw HAProxyLineError("an ACL needs a criterion (\(supportedCriteria))") }
        if Self.hasConverter(fetchWord) {
            throw HAProxyLineError("'\(fetchWord)': converters after a fetch are not supported; use a matching method (-i, -m beg…) instead")
        }
        let fetch = try Fetch(fetchWord)

        // Flags (src/acl.c: every word starting with '-' until '--' or the first pattern).
        var rest = words.dropFirst()
        var ignoreCase = false
        var method: String?
        var patterns: [(text: String, origin: String?)] = []
        var loadedFile = false
        while let flag = rest.first, flag.hasPrefix("-") {
            rest = rest.dropFirst()
            switch flag {
            case "--": break
            case "-i":
                if loadedFile { throw HAProxyLineError("put -i before -f: proxyd applies -i to every pattern of the ACL, files included") }
                ignoreCase = true
            case "-n": continue
            case "-m":
                guard let name = rest.popFirst() else { throw HAProxyLineError("-m needs a matching method (\(stringMethods.joined(separator: ", ")))") }
                if loadedFile { throw HAProxyLineError("'-m' must only be specified before patterns and files in parsing ACL expression") }
                method = name
            case "-f":
                guard let path = rest.popFirst() else { throw HAProxyLineError("-f needs a file of patterns") }
                let text: String
                do { text = try openFile(path) } catch {
                    throw HAProxyLineError("cannot read ACL pattern file '\(path)': \(error.localizedDescription)")
                }
                let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
                for (index, line) in lines.enumerated() {
                    let trimmed = line.drop { $0 == " " || $0 == "\t" }.prefix { $0 != "\r" }
                    if trimmed.isEmpty || trimmed.first == "#" { continue }
                    patterns.append((String(String.UnicodeScalarView(trimmed)), "\(path):\(index + 1)"))
                }
                loadedFile = true
            case "-M": throw HAProxyLineError("ACL flag -M (load a map file) is not supported; list the patterns with -f")
            case "-u": throw HAProxyLineError("ACL flag -u (an id for HAProxy's runtime ACL commands) is not supported; drop it")
            default:
                throw HAProxyLineError("'\(flag)' is not a valid ACL option (supported: -i, -m, -f, -n, --). Please use '--' before any pattern beginning with a '-'")
            }
            if flag == "--" { break }
        }
        patterns += rest.map { ($0, nil) }

        return try compile(fetch, method: method, ignoreCase: ignoreCase, patterns: patterns, loadedFile: loadedFile)
    }

    /// Compiles each pattern; an error in a pattern from a file names the file and its line.
    private static func each<T>(_ patterns: [(text: String, origin: String?)], _ compile: (String) throws(HAProxyLineError) -> T) throws(HAProxyLineError) -> [T] {
        var result: [T] = []
        result.reserveCapacity(patterns.count)
        for pattern in patterns {
            do throws(HAProxyLineError) {
                result.append(try compile(pattern.text))
            } catch {
                guard let origin = pattern.origin else { throw error }
                throw HAProxyLineError("\(origin): \(error.message)")
            }
        }
        return result
    }

    /// Whether a comma follows the fetch outside its parentheses (`path,lower`; `urlp(id,;)` is an argument).
    private static func hasConverter(_ word: String) -> Bool {
        var depth = 0
        for character in word {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0: return true
            default: break
            }
        }
        return false
    }

    /// A pattern file's text (`-f`), relative paths from the working directory as in HAProxy.
    static func readFile(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    private static func compile(_ fetch: Fetch, method explicitMethod: String?, ignoreCase: Bool,
                                patterns sourced: [(text: String, origin: String?)], loadedFile: Bool) throws(HAProxyLineError) -> RuleCondition {
        let name = fetch.keyword
        let patterns = sourced.map(\.text)
        switch fetch.kind {
        case .tls:
            guard patterns.isEmpty else { throw HAProxyLineError("ssl_fc takes no value; write '!{ ssl_fc }' for plain HTTP") }
            if let explicitMethod, explicitMethod != "bool" { throw HAProxyLineError("ssl_fc is a boolean; '-m \(explicitMethod)' cannot be used with it") }
            return .tls
        case .source:
            if let explicitMethod, explicitMethod != "ip" { throw HAProxyLineError("src matches IP networks; '-m \(explicitMethod)' is not supported with it") }
            guard !patterns.isEmpty || loadedFile else { throw HAProxyLineError("src needs at least one address or network (or -f FILE)") }
            return .source(try each(sourced) { text throws(HAProxyLineError) in try IPNetwork(parsing: text) })
        case .method:
            if let explicitMethod { throw HAProxyLineError("method matches method names; '-m \(explicitMethod)' is not supported with it") }
            guard !patterns.isEmpty else { throw HAProxyLineError("method needs at least one method name, e.g. method GET HEAD") }
            if let bad = patterns.first(where: { $0.isEmpty || !$0.allSatisfy(\.isHTTPTokenCharacter) }) {
                throw HAProxyLineError("'\(bad)' is not a method name (RFC 9110 §9.1: a token)")
            }
            return .method(ACLMethodMatch(patterns: patterns, ignoreCase: ignoreCase))
        case .string(let sample, let defaultMethod):
            let method = explicitMethod ?? defaultMethod
            let patternList = ignoreCase ? patterns.map(ACLBytes.lowercased) : patterns
            let needsPatterns = "\(name) needs at least one pattern (write '-m found' to test that it exists)"
            let test: ACLStringTest
            switch method {
            case "found":
                guard patterns.isEmpty else { throw HAProxyLineError("'-m found' takes no pattern: it only tests that \(name) exists") }
                test = .found
            case "str", "beg", "end", "sub", "dir", "dom":
                guard !patternList.isEmpty || loadedFile else { throw HAProxyLineError(needsPatterns) }
                switch method {
                case "str": test = .exact(patternList)
                case "beg": test = .prefix(patternList)
                case "end": test = .suffix(patternList)
                case "sub": test = .substring(patternList)
                case "dir": test = .directory(patternList)
                default: test = .domain(patternList)
                }
            case "reg":
                guard !patterns.isEmpty || loadedFile else { throw HAProxyLineError(needsPatterns) }
                test = .regex(try each(sourced) { text throws(HAProxyLineError) in try ACLRegex(text, ignoreCase: ignoreCase) })
            case "len":
                guard !patterns.isEmpty || loadedFile else { throw HAProxyLineError(needsPatterns) }
                test = .length(try each(sourced) { text throws(HAProxyLineError) in try lengthRange(text) })
            case "bool", "int", "ip", "bin":
                throw HAProxyLineError("matching method '\(method)' is not supported with \(name); supported: \(stringMethods.joined(separator: ", "))")
            default:
                throw HAProxyLineError("unknown matching method '\(method)' when parsing ACL expression (supported: \(stringMethods.joined(separator: ", ")))")
            }
            // The Host name as proxyd has always compared it: without its port, ignoring case.
            if case .header("host") = sample, case .exact(let hosts) = test, explicitMethod == nil || explicitMethod == "str" {
                if let withPort = hosts.first(where: { $0.contains(":") }) {
                    throw HAProxyLineError("\(name) value '\(withPort)' has a port; proxyd compares the Host header without its port, so write the name alone")
                }
                return .host(hosts.map(ACLBytes.lowercased))
            }
            // path_beg without -i keeps its own form (and YAML key, path_prefix).
            if sample == .path, case .prefix(let prefixes) = test, !ignoreCase { return .pathPrefix(prefixes) }
            return .sample(ACLStringMatch(sample: sample, test: test, ignoreCase: ignoreCase))
        }
    }

    /// `-m len` patterns: `N`, `N:M`, `:M`, `N:` (HAProxy's integer ranges).
    static func lengthRange(_ text: String) throws(HAProxyLineError) -> ClosedRange<Int> {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        func bound(_ part: Substring, _ fallback: Int) -> Int? {
            part.isEmpty ? fallback : (part.allSatisfy(\.isASCII) ? Int(part) : nil).flatMap { $0 >= 0 ? $0 : nil }
        }
        if ["eq", "ge", "gt", "le", "lt"].contains(text) {
            throw HAProxyLineError("operator '\(text)' is not supported with -m len; write a range instead (':4' for lt 5, '6:' for gt 5)")
        }
        guard !text.isEmpty, text != ":", let low = bound(parts[0], 0),
              let high = parts.count == 2 ? bound(parts[1], Int.max) : low, low <= high else {
            throw HAProxyLineError("'\(text)' is not a length or a range of lengths (N, N:M, :M or N:)")
        }
        return low...high
    }

    /// The fetch word of a criterion, with its argument and default matching method.
    private struct Fetch {
        enum Kind {
            case tls, source, method
            case string(ACLSample, defaultMethod: String)
        }
        let keyword: String
        let kind: Kind

        init(_ word: String) throws(HAProxyLineError) {
            keyword = word
            var base = word.lowercased()
            var argument: String?
            if let open = base.firstIndex(of: "(") {
                guard base.hasSuffix(")") else { throw HAProxyLineError("'\(word)': missing ')' after the fetch's argument") }
                argument = String(word[word.index(after: open)..<word.index(before: word.endIndex)])
                base = String(base[..<open])
            }
            func noArgument() throws(HAProxyLineError) {
                if argument != nil { throw HAProxyLineError("\(base) takes no argument") }
            }
            // `fetch_suffix`: the ACL derivatives (path_end = path with -m end).
            let (stem, suffix) = Self.split(base)
            switch stem {
            case "ssl_fc" where suffix == nil:
                try noArgument()
                kind = .tls
            case "src" where suffix == nil:
                try noArgument()
                kind = .source
            case "method" where suffix == nil:
                try noArgument()
                kind = .method
            case "path", "url", "query":
                try noArgument()
                if stem == "query" && suffix != nil { throw HAProxyLineError("ACL criterion '\(word)' does not exist; write 'query -m \(suffix ?? "")'") }
                kind = .string(stem == "path" ? .path : stem == "url" ? .url : .query, defaultMethod: suffix ?? "str")
            case "hdr", "req.hdr":
                if stem == "req.hdr" && suffix != nil { throw HAProxyLineError("ACL criterion '\(word)' does not exist; write 'hdr_\(suffix ?? "")(NAME)' or 'req.hdr(NAME) -m \(suffix ?? "")'") }
                guard let argument, !argument.isEmpty else { throw HAProxyLineError("\(stem)() needs a header name, e.g. \(stem)(host); proxyd does not match every header at once") }
                if argument.contains(",") { throw HAProxyLineError("\(word): an occurrence number is not supported; proxyd matches every occurrence, as HAProxy's ACLs do without one") }
                guard argument.allSatisfy(\.isHTTPTokenCharacter) else { throw HAProxyLineError("'\(argument)' is not a valid header name (RFC 9110 §5.1)") }
                kind = .string(.header(ACLBytes.lowercased(argument)), defaultMethod: suffix ?? "str")
            case "urlp", "url_param":
                if stem == "url_param" && suffix != nil { throw HAProxyLineError("ACL criterion '\(word)' does not exist; write 'urlp_\(suffix ?? "")(NAME)'") }
                guard let argument, !argument.isEmpty else { throw HAProxyLineError("\(stem)() needs a parameter name, e.g. \(stem)(id); proxyd does not match every parameter at once") }
                let parts = argument.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
                var delimiter = UInt8(ascii: "?")
                if parts.count == 2 {
                    guard let byte = parts[1].utf8.first, parts[1].utf8.count == 1 else { throw HAProxyLineError("\(word): the delimiter must be one character") }
                    delimiter = byte
                }
                guard !parts[0].isEmpty else { throw HAProxyLineError("\(stem)() needs a parameter name") }
                kind = .string(.urlParameter(name: String(parts[0]), delimiter: delimiter), defaultMethod: suffix ?? "str")
            case "ssl_fc_sni" where suffix == nil || suffix == "end" || suffix == "reg":
                try noArgument()
                kind = .string(.serverName, defaultMethod: suffix ?? "str")
            case "req.ssl_sni", "req_ssl_sni":
                throw HAProxyLineError("\(base) reads the SNI from a raw TLS ClientHello (TCP mode); proxyd terminates TLS, so write ssl_fc_sni")
            default:
                throw HAProxyLineError("ACL criterion '\(word)' is not supported; supported: \(HAProxyACLCriterionParser.supportedCriteria)")
            }
        }

        /// `hdr_beg` → (`hdr`, `beg`); `path` → (`path`, nil).
        private static func split(_ base: String) -> (String, String?) {
            for suffix in ["beg", "end", "sub", "dir", "dom", "reg", "len"] where base.hasSuffix("_" + suffix) {
                return (String(base.dropLast(suffix.count + 1)), suffix)
            }
            return (base, nil)
        }
    }
}
