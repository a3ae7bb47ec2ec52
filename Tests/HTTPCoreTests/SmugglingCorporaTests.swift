import HTTPCore
import Testing
import TestCorpora

/// The request-smuggling corpora (PortSwigger's TE/CL obfuscations, defparam/smuggler's
/// mutations, HTTP Garden's trophies) at the parser level: whatever we decide for a payload,
/// we decide it the same way however its bytes arrive, and an accepted request never has an
/// ambiguous length. (Whether proxyd forwards them safely end to end is proxyd's own test.)
@Suite("Smuggling corpora", .needsSharedCorpora)
struct SmugglingCorporaTests {
    struct PortSwiggerCase: Decodable, CustomTestStringConvertible {
        var target_header: String
        var technique: String
        var raw_b64: String
        var testDescription: String { "\(target_header) \(technique)" }
    }

    struct SmugglerProbe: Decodable {
        var mutation: String
        var probe: String
        var raw_utf8_b64: String
        var raw_latin1_b64: String
    }

    struct GardenTrophy: Decodable {
        var section: String
        var number: Int
        var payloads_b64: [String]
    }

    /// An accepted message whose length could be read two ways is a bug in the parser.
    static func expectUnambiguous(_ transcript: MessageTranscript, sourceLocation: SourceLocation = #_sourceLocation) {
        for message in transcript.messages {
            let names = message.fields.map { String(decoding: $0.name.lowercased(), as: UTF8.self) }
            let hasTE = names.contains("transfer-encoding")
            let hasCL = names.contains("content-length")
            #expect(!(hasTE && hasCL), "accepted both Transfer-Encoding and Content-Length", sourceLocation: sourceLocation)
            if hasTE { #expect(message.framing == .chunked, sourceLocation: sourceLocation) }
        }
    }

    @Test("PortSwigger TE/CL permutations: same verdict at every split, never both lengths",
          arguments: try SharedCorpora.jsonLines("corpora/http/portswigger-smuggler/portswigger-h1-permutations.jsonl", as: PortSwiggerCase.self))
    func portSwigger(_ testCase: PortSwiggerCase) {
        let (whole, disagreeing) = MessageTranscript.runAllFeedings(.request, testCase.raw_b64.base64Bytes)
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(3))")
        Self.expectUnambiguous(whole)
    }

    @Test("HTTP Garden trophies: same verdict at every split, never both lengths",
          arguments: try SharedCorpora.jsonLines("corpora/http/http-garden/garden-trophies.jsonl", as: GardenTrophy.self).flatMap(\.payloads_b64))
    func garden(_ payload: String) {
        let (whole, disagreeing) = MessageTranscript.runAllFeedings(.request, payload.base64Bytes)
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(3))")
        Self.expectUnambiguous(whole)
    }

    @Test("defparam/smuggler probes (7,072 × 2 encodings): whole and byte-by-byte agree, never both lengths")
    func smuggler() throws {
        let probes = try SharedCorpora.jsonLines("corpora/http/smuggler/smuggler-probes.jsonl", as: SmugglerProbe.self)
        #expect(probes.count == 7072)
        var accepted = 0
        for probe in probes {
            for encoded in [probe.raw_utf8_b64, probe.raw_latin1_b64] {
                let bytes = encoded.base64Bytes
                let whole = MessageTranscript.run(.request, chunks: [bytes])
                let single = MessageTranscript.run(.request, chunks: bytes.map { [$0] })
                #expect(whole.verdict == single.verdict, "\(probe.mutation) \(probe.probe)")
                Self.expectUnambiguous(whole)
                if whole.error == nil { accepted += 1 }
            }
        }
        // Recorded so a change in what we accept is noticed (and explained) rather than silent.
        #expect(accepted == 36)
    }
}
