import Foundation
import TestCorpora

/// Every request case of the shared HTTP corpora (`../shared/corpora/http/`, read in place),
/// as the bytes a client sends on one connection.
struct SmugglingCase: Sendable {
    var corpus: String
    var label: String
    var bytes: [UInt8]
}

enum SmugglingCorpus {
    /// `shared/corpora/http`, read in place.
    static func directory() throws -> URL {
        try SharedCorpora.url("corpora/http")
    }

    /// The corpora in report order: file, and how to get a case's label and payloads from a line.
    static let sources: [(name: String, file: String, cases: @Sendable ([String: Any]) -> [(String, [String])])] = [
        ("llhttp", "llhttp/llhttp-cases.jsonl", { line in
            guard let type = line["type"] as? String, type.hasPrefix("request"), let raw = line["raw_b64"] as? String else { return [] }
            return [("\(line["file"] ?? ""):\(line["line"] ?? "") \(line["heading"] ?? "")", [raw])]
        }),
        ("http11probe", "http11probe/http11probe-cases.jsonl", { line in
            guard let raw = line["payload_b64"] as? String else { return [] }
            return [("\(line["test_id"] ?? "")", [raw])]
        }),
        ("smuggler", "smuggler/smuggler-probes.jsonl", { line in
            let label = "\(line["config"] ?? "") \(line["mutation"] ?? "") \(line["probe"] ?? "")"
            return [line["raw_utf8_b64"], line["raw_latin1_b64"]].compactMap { $0 as? String }.map { (label, [$0]) }
        }),
        ("portswigger", "portswigger-smuggler/portswigger-h1-permutations.jsonl", { line in
            guard let raw = line["raw_b64"] as? String else { return [] }
            return [("\(line["target_header"] ?? "") \(line["technique"] ?? "")", [raw])]
        }),
        ("http-garden", "http-garden/garden-trophies.jsonl", { line in
            guard let payloads = line["payloads_b64"] as? [String], !payloads.isEmpty else { return [] }
            return [("\(line["section"] ?? "") #\(line["number"] ?? "")", payloads)]
        }),
        ("picohttpparser", "picohttpparser/pico-cases.jsonl", { line in
            guard line["kind"] as? String == "request", let raw = line["raw_b64"] as? String else { return [] }
            return [("\(line["name"] ?? "")", [raw])]
        }),
        ("httparse", "httparse/httparse-cases.jsonl", { line in
            guard line["kind"] as? String == "request", let raw = line["raw_b64"] as? String else { return [] }
            return [("\(line["name"] ?? "")", [raw])]
        }),
    ]

    /// Every request case, byte-identical duplicates within a corpus dropped (smuggler's
    /// UTF-8 and Latin-1 renderings agree whenever the mutation is ASCII). Several payloads
    /// of one HTTP Garden trophy are sent back to back on one connection.
    ///
    /// `smugglerSample`: defparam/smuggler's file lists each mutation with its four probes
    /// (CLTE/TECL × timeout/good) in a row; the sample keeps one probe per mutation, rotating
    /// through the four, so every mutation is still sent, in a quarter of the cases (what
    /// `swift test` runs on a shared 2-core machine; `scripts/conformance` runs them all).
    static func load(smugglerSample: Bool = false) throws -> [SmugglingCase] {
        let root = try directory()
        var cases: [SmugglingCase] = []
        for source in sources {
            let text = try String(contentsOf: root.appendingPathComponent(source.file), encoding: .utf8)
            var seen = Set<[UInt8]>()
            for (index, line) in text.split(separator: "\n").enumerated() {
                if smugglerSample && source.name == "smuggler" && index % 4 != (index / 4) % 4 { continue }
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                for (label, payloads) in source.cases(object) {
                    let bytes = payloads.flatMap { Data(base64Encoded: $0).map { [UInt8]($0) } ?? [] }
                    guard !bytes.isEmpty, seen.insert(bytes).inserted else { continue }
                    cases.append(SmugglingCase(corpus: source.name, label: label, bytes: bytes))
                }
            }
        }
        return cases
    }
}
