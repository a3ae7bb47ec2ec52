#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Reads resolv.conf(5) into a ``ResolverConfig`` with glibc's rules.
///
/// Understood: `nameserver` (IPv4 or IPv6, at most ``ResolverConfig/maximumNameservers``,
/// later ones ignored as glibc does), `search` and `domain` (the last of them wins),
/// `options timeout:N attempts:N ndots:N rotate` (values above glibc's caps are clamped to
/// the cap, as glibc does). Comments start with `#` or `;`. Unknown keywords and unknown
/// options are ignored, because resolv.conf files carry many that do not concern this
/// resolver (`sortlist`, `options edns0`, `single-request`, ...). A value that is present but
/// unusable (an address that is not an IP literal, `ndots:x`) is an error naming the line, so
/// a typo is not silently replaced by a default. Without any `nameserver` line the resolver
/// uses 127.0.0.1 as glibc does.
public struct ResolvConfParser: Sendable {
    /// The name used in errors for the text being parsed (a path, or a label for in-memory text).
    public var source: String

    /// Creates a parser; `source` names the text in errors.
    public init(source: String = "resolv.conf") {
        self.source = source
    }

    /// Reads and parses the file at `path` (for instance `/etc/resolv.conf`).
    public static func parse(contentsOf path: String) throws(ResolvConfError) -> ResolverConfig {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            text = String(decoding: data, as: UTF8.self)
        } catch {
            throw ResolvConfError(source: path, line: 0, reason: .unreadable(String(describing: error)))
        }
        return try ResolvConfParser(source: path).parse(text)
    }

    /// Parses resolv.conf text.
    public func parse(_ text: String) throws(ResolvConfError) -> ResolverConfig {
        var nameservers: [SocketAddress] = []
        var search: [String] = []
        var timeoutSeconds = 5
        var attempts = 2
        var ndots = 1
        var rotate = false

        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let words = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let keyword = words.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else {
                continue
            }
            let values = words.dropFirst().prefix { !$0.hasPrefix("#") && !$0.hasPrefix(";") }
            switch keyword {
            case "nameserver":
                guard let value = values.first else {
                    throw error(lineNumber, .missingValue(keyword: "nameserver"))
                }
                guard let address = try? SocketAddress(ipAddress: String(value), port: ResolverConfig.defaultPort) else {
                    throw error(lineNumber, .invalidNameserver(String(value)))
                }
                if nameservers.count < ResolverConfig.maximumNameservers {
                    nameservers.append(address)
                }
            case "domain":
                guard let value = values.first else {
                    throw error(lineNumber, .missingValue(keyword: "domain"))
                }
                search = [String(value)]
            case "search":
                guard !values.isEmpty else {
                    throw error(lineNumber, .missingValue(keyword: "search"))
                }
                search = values.map(String.init)
            case "options":
                for option in values {
                    let parts = option.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                    let name = String(parts[0])
                    let argument = parts.count > 1 ? String(parts[1]) : nil
                    switch name {
                    case "timeout":
                        timeoutSeconds = try number(argument, option: name, line: lineNumber, minimum: 1, cap: ResolverConfig.maximumTimeoutSeconds)
                    case "attempts":
                        attempts = try number(argument, option: name, line: lineNumber, minimum: 1, cap: ResolverConfig.maximumAttempts)
                    case "ndots":
                        ndots = try number(argument, option: name, line: lineNumber, minimum: 0, cap: ResolverConfig.maximumNdots)
                    case "rotate":
                        rotate = true
                    default:
                        continue  // edns0, single-request, trust-ad, ...: not ours to interpret.
                    }
                }
            default:
                continue  // sortlist and anything unknown is ignored, as glibc does.
            }
        }
        if nameservers.isEmpty, let loopback = try? SocketAddress(ipAddress: "127.0.0.1", port: ResolverConfig.defaultPort) {
            nameservers = [loopback]
        }
        return ResolverConfig(
            nameservers: nameservers,
            timeout: .seconds(timeoutSeconds),
            attempts: attempts,
            searchDomains: search,
            ndots: ndots,
            rotate: rotate
        )
    }

    private func error(_ line: Int, _ reason: ResolvConfError.Reason) -> ResolvConfError {
        ResolvConfError(source: source, line: line, reason: reason)
    }

    private func number(_ argument: String?, option: String, line: Int, minimum: Int, cap: Int) throws(ResolvConfError) -> Int {
        guard let argument, let value = Int(argument), value >= minimum else {
            throw error(line, .invalidOptionValue(option: option, value: argument ?? ""))
        }
        return min(value, cap)
    }
}
