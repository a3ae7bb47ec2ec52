/// The address a listener binds: `0.0.0.0:80`, `127.0.0.1:8443`, `[::]:443` or `:80` (all
/// IPv4 interfaces, as HAProxy's `bind :80`).
struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    var host: String
    var port: Int

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case missingPort(String)
        case badPort(String)
        case badHost(String)

        var description: String {
            switch self {
            case .missingPort(let text): "address '\(text)' has no port; write HOST:PORT, [IPv6]:PORT or :PORT"
            case .badPort(let text): "address '\(text)' has a port outside 0-65535"
            case .badHost(let text): "address '\(text)' has an unclosed '[', an empty host, or a space, control character or bracket in the host"
            }
        }
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether only this machine can reach the address: 127.0.0.0/8, ::1 or `localhost`.
    /// An empty host (`:PORT`) means every interface.
    var isLoopback: Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` and `:PORT`.
    init(parsing text: String) throws(ParseError) {
        let text = text.trimmingWhitespace()
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .badHost(text) }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .missingPort(text) }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { throw .badHost(text) }
        }
        guard !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portPart), port <= 65_535 else {
            throw portPart.isEmpty ? .missingPort(text) : .badPort(text)
        }
        if text.hasPrefix("[") && hostPart.isEmpty { throw .badHost(text) }
        guard hostPart.isEmpty || Self.isPlausibleHost(hostPart) else { throw .badHost(text) }
        self.init(host: hostPart.isEmpty ? "0.0.0.0" : String(hostPart), port: port)
    }

    /// An IP address or a DNS name has no spaces, control characters or brackets. Refusing
    /// them keeps `description` readable back as the same address: `[ a]:80` would be written
    /// ` a:80` and read back as `a`, `[[x]:80` written `[x:80` and refused (the round trip
    /// FuzzYAMLConfig checks).
    static func isPlausibleHost(_ host: some StringProtocol) -> Bool {
        !host.isEmpty && !host.contains { $0.isWhitespace || $0 == "[" || $0 == "]" || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) }
    }
}

extension BindAddress {
    /// Parses a nameserver as resolv.conf and HAProxy write it: `10.0.0.2`, `10.0.0.2:5353`,
    /// `::1`, `[::1]:5353`; the port defaults to 53.
    init(parsingNameserver text: String) throws(ParseError) {
        let text = text.trimmingWhitespace()
        let colons = text.count(where: { $0 == ":" })
        if text.hasPrefix("[") || colons == 1 {
            try self.init(parsing: text)
        } else {
            guard Self.isPlausibleHost(text) else { throw .badHost(text) }
            self.init(host: text, port: 53)
        }
    }
}
