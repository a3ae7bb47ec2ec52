import Foundation
import Testing
import TestCorpora

@testable import DNSWire

extension SharedCorpora {
    /// `shared/corpora/dns`, or a test failure saying the corpora were not found.
    static func dnsDirectory() throws -> URL {
        try url("corpora/dns")
    }

    /// Parses a JSON Lines file of the DNS vectors (`shared/corpora/dns/vectors/NAME`).
    static func jsonLines(_ name: String) throws -> [[String: Any]] {
        let url = try dnsDirectory().appendingPathComponent("vectors/\(name)")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }
}

/// Directory of this target's fixtures.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A fixture file's bytes: `.bin` as is, `.hex` as hexadecimal text (whitespace ignored).
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        if name.hasSuffix(".hex") { return try #require(hexBytes(String(decoding: data, as: UTF8.self))) }
        return Array(data)
    }
}

/// Decodes hexadecimal text, ignoring whitespace; `nil` for odd length or non-hex characters.
func hexBytes(_ text: String) -> [UInt8]? {
    let digits = text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    var iterator = digits.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        guard let value = UInt8(String(high) + String(low), radix: 16) else { return nil }
        bytes.append(value)
    }
    return bytes
}

/// `DomainName` from text that the test knows is valid.
func name(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> DomainName {
    do {
        return try DomainName(text)
    } catch {
        Issue.record("not a valid name: \(text): \(error)", sourceLocation: sourceLocation)
        return .root
    }
}

/// Decodes, encodes and decodes again; the two decodes must be equal.
func expectRoundTrip(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let first = try Message(decoding: bytes)
    let encoded = try first.encode()
    let second = try Message(decoding: encoded)
    #expect(first == second, sourceLocation: sourceLocation)
}
