/// A header value written with HAProxy's sample-fetch syntax, evaluated per request:
/// `%[src]`, `%[ssl_fc]`, `https`, `for=%[src];proto=%[scheme]`.
///
/// Both configuration languages use this one syntax so that a value copied from a
/// haproxy.cfg means the same in proxyd.yaml. The supported fetches are the ones the
/// forwarding headers need; anything else is refused when the file is loaded, never at
/// request time.
struct HeaderValueTemplate: Sendable, Hashable, CustomStringConvertible {
    /// One piece of a template.
    enum Part: Sendable, Hashable {
        case literal(String)
        /// `%[src]`: the client's IP address.
        case clientAddress
        /// `%[src_port]`: the client's port.
        case clientPort
        /// `%[scheme]`: `https` on a TLS listener, `http` otherwise.
        case scheme
        /// `%[ssl_fc]`: `1` when the client connection uses TLS, `0` otherwise.
        case tlsFlag
        /// `%[ssl_fc_sni]`: the server name the client sent in its TLS handshake.
        case tlsServerName
        /// `%[dst_port]`: the port of the listener that accepted the connection.
        case listenerPort
        /// `%[req.hdr(NAME)]` / `%[hdr(NAME)]`: the request's last value of a header.
        case requestHeader(String)
    }

    var parts: [Part]

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case unterminatedFetch(String)
        case unknownFetch(String)
        /// A character a header value cannot carry: a control, or anything outside ASCII (an
        /// invisible U+FEFF pasted with the text is the usual one).
        case invalidCharacter(String, Unicode.Scalar)
        /// Leading or trailing spaces or tabs, which HTTP strips from a field value (RFC 9110
        /// §5.5): every request would be refused while forwarding.
        case surroundingWhitespace(String)

        var description: String {
            switch self {
            case .unterminatedFetch(let text): "header value '\(text)' has '%[' without a closing ']'"
            case .unknownFetch(let name):
                "unknown sample fetch '%[\(name)]'; supported: src, src_port, scheme, ssl_fc, ssl_fc_sni, dst_port, req.hdr(NAME), hdr(NAME)"
            case .invalidCharacter(let text, let scalar):
                "header value '\(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16, uppercase: true))}" }.joined())' contains \(Self.name(of: scalar)); a header value may hold visible ASCII characters, spaces and tabs only"
            case .surroundingWhitespace(let text):
                "header value '\(text)' starts or ends with a space or tab, which HTTP does not allow in a field value"
            }
        }

        private static func name(of scalar: Unicode.Scalar) -> String {
            let code = "U+" + String(repeating: "0", count: max(0, 4 - String(scalar.value, radix: 16).count)) + String(scalar.value, radix: 16, uppercase: true)
            switch scalar.value {
            case 0xFEFF: return "\(code) (a byte-order mark, invisible in most editors)"
            case 0x00..<0x20, 0x7F: return "\(code) (a control character)"
            default: return code
            }
        }
    }

    init(parts: [Part]) { self.parts = parts }

    init(parsing text: String) throws(ParseError) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let start = rest.range(of: "%[") {
            literal += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "]") else { throw .unterminatedFetch(text) }
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
            parts.append(try Self.fetch(named: String(afterOpen[..<close])))
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        // Checked here, when the file is loaded, rather than when a request is forwarded: the
        // forwarding path refuses such a value with a 400 for every request.
        for part in parts {
            guard case .literal(let text) = part else { continue }
            if let bad = text.unicodeScalars.first(where: { !Self.isAllowed($0) }) { throw .invalidCharacter(text, bad) }
        }
        if case .literal(let first) = parts.first, let head = first.unicodeScalars.first, head == " " || head == "\t" {
            throw .surroundingWhitespace(text)
        }
        if case .literal(let last) = parts.last, let tail = last.unicodeScalars.last, tail == " " || tail == "\t" {
            throw .surroundingWhitespace(text)
        }
        self.parts = parts
    }

    /// Visible ASCII, space and tab (RFC 9110 §5.5 field-vchar without obs-text).
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        (0x21...0x7E).contains(scalar.value) || scalar == " " || scalar == "\t"
    }

    private static func fetch(named name: String) throws(ParseError) -> Part {
        switch name {
        case "src": return .clientAddress
        case "src_port": return .clientPort
        case "scheme": return .scheme
        case "ssl_fc": return .tlsFlag
        case "ssl_fc_sni": return .tlsServerName
        case "dst_port": return .listenerPort
        default:
            for prefix in ["req.hdr(", "hdr("] where name.hasPrefix(prefix) && name.hasSuffix(")") {
                let header = name.dropFirst(prefix.count).dropLast()
                if !header.isEmpty, header.allSatisfy(\.isHTTPTokenCharacter) {
                    return .requestHeader(String(header))
                }
            }
            throw .unknownFetch(name)
        }
    }

    var description: String {
        parts.map { part in
            switch part {
            case .literal(let text): text
            case .clientAddress: "%[src]"
            case .clientPort: "%[src_port]"
            case .scheme: "%[scheme]"
            case .tlsFlag: "%[ssl_fc]"
            case .tlsServerName: "%[ssl_fc_sni]"
            case .listenerPort: "%[dst_port]"
            case .requestHeader(let name): "%[req.hdr(\(name))]"
            }
        }.joined()
    }
}

extension Character {
    /// RFC 9110 §5.6.2 `tchar`: the characters allowed in a header field name.
    var isHTTPTokenCharacter: Bool {
        guard let ascii = asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(ascii)
        }
    }
}
