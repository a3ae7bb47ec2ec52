import Foundation
import Testing
import TestCorpora

@testable import DNSWire

/// Conformance over `shared/corpora/dns` (see its README): name and message vectors from
/// dnspython and miekg/dns, dnspython's verdict on every raw packet of three fuzzing corpora,
/// and every file of those corpora decoded or rejected without crashing.
@Suite("Conformance with the shared DNS corpora", .needsSharedCorpora)
struct ConformanceTests {
    /// Vectors where DNSWire's verdict differs from dnspython's, with the reason. Empty: on
    /// every vector and packet of the corpora we accept what dnspython accepts and reject what
    /// it rejects. The two `either` name vectors (a pointer into an earlier label of the same
    /// name, and a "matryoshka" of pointers into the middle of earlier labels) are rejected like
    /// dnspython does, because RFC 1035 §4.1.4 speaks of pointing to "a prior occurrence of the
    /// same name" and the strictly-backwards rule is what makes loops impossible by construction.
    static let verdictsWeChoseOtherwise: [String: String] = [
        "c-ares-fuzzinput/test/fuzzinput/f6606f624be8c628328cea01d2cd07a9":
            "an answer of type NAPTR (35) with one octet of RDATA: dnspython parses NAPTR and finds it too short; DNSWire does not model NAPTR and keeps its RDATA opaque, byte for byte, as RFC 3597 §5 asks of unknown types (and re-encodes it unchanged)",
    ]

    /// Packets both reject, for a different first fault. We report the first rule broken in
    /// reading order; dnspython checks a name's length only once the whole name is read.
    static let sameVerdictOtherFault: [String: String] = [
        "c-ares-fuzzinput/test/fuzzinput/clusterfuzz-5680630672654336":
            "the name passes 255 octets (RFC 1035 §3.1) before reaching the pointer dnspython rejects",
        "c-ares-fuzzinput/test/fuzzinput/multi-indir":
            "the name passes 255 octets (RFC 1035 §3.1) before reaching the pointer dnspython rejects",
    ]

    @Test("the listed disagreements with dnspython are exactly the verdicts that differ")
    func listedDisagreementsStillDisagree() throws {
        let directory = try SharedCorpora.dnsDirectory()
        for (file, _) in Self.verdictsWeChoseOtherwise {
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            let entry = try #require(try SharedCorpora.jsonLines("corpus-oracle.jsonl").first { $0["file"] as? String == file })
            let oracle = try #require(entry["dnspython"] as? [String: Any])
            let weAccept = (try? Message(decoding: bytes)) != nil
            #expect(weAccept != (oracle["ok"] as? Bool), "\(file) no longer disagrees: remove it from the list")
        }
        for (file, _) in Self.sameVerdictOtherFault {
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            #expect {
                try Message(decoding: bytes)
            } throws: { error in
                if case .nameTooLong = error as? DNSWireError { true } else { false }
            }
        }
    }

    /// Which DNSWire errors stand for which dnspython exception class.
    static func agrees(_ error: DNSWireError, withDnspython exception: String) -> Bool {
        switch (exception, error) {
        case ("ShortHeader", .truncated(_, .header)): true
        case ("TrailingJunk", .trailingBytes): true
        case ("BadPointer", .badPointer), ("BadPointer", .tooManyPointers): true
        case ("BadLabelType", .badLabelType): true
        case ("NameTooLong", .nameTooLong): true
        case ("BadEDNS", .duplicateOPT), ("BadEDNS", .optOutsideAdditional), ("BadEDNS", .optOwnerNotRoot): true
        case ("FormError", .messageTooLong): true  // dnspython fails reading past 65535 octets
        case ("FormError", .truncated), ("FormError", .countMismatch), ("FormError", .rdlengthOverrun),
            ("FormError", .badRecordData), ("FormError", .badEDNSOption):
            true
        default: false
        }
    }

    @Test("every name vector decodes to dnspython's name and length, or fails the same way")
    func nameVectors() throws {
        let vectors = try SharedCorpora.jsonLines("names.jsonl")
        #expect(vectors.count == 25)
        for vector in vectors {
            let id = try #require(vector["id"] as? String)
            let hex = try #require(vector["hex"] as? String)
            let bytes = try #require(hexBytes(hex))
            let offset = try #require(vector["offset"] as? Int)
            let oracle = try #require(vector["dnspython"] as? [String: Any])
            let outcome = Result { () throws(DNSWireError) in try DomainName.decode(bytes, at: offset) }
            if let reason = Self.verdictsWeChoseOtherwise[id] {
                Issue.record("\(id) is listed as a disagreement (\(reason)) but is checked here; update the list")
                continue
            }
            switch (outcome, oracle["ok"] as? Bool) {
            case (.success(let decoded), true?):
                #expect(decoded.name.description == oracle["name"] as? String, "\(id)")
                #expect(decoded.end - offset == oracle["consumed"] as? Int, "\(id)")
            case (.failure(let error), false?):
                let exception = try #require(oracle["error"] as? String)
                #expect(Self.agrees(error, withDnspython: exception), "\(id): we threw \(error), dnspython \(exception)")
            case (let ours, let theirs):
                Issue.record("\(id): DNSWire \(ours), dnspython ok=\(String(describing: theirs))")
            }
        }
    }

    @Test("every message vector decodes like dnspython (header, EDNS, records) or fails the same way")
    func messageVectors() throws {
        let vectors = try SharedCorpora.jsonLines("messages.jsonl")
        #expect(vectors.count == 31)
        for vector in vectors {
            let id = try #require(vector["id"] as? String)
            let hex = try #require(vector["hex"] as? String)
            let bytes = try #require(hexBytes(hex))
            try Self.check(bytes, against: try #require(vector["dnspython"] as? [String: Any]), label: id)
        }
    }

    @Test("every packet judged by dnspython in corpus-oracle.jsonl gets the same verdict")
    func corpusOracle() throws {
        let directory = try SharedCorpora.dnsDirectory()
        let entries = try SharedCorpora.jsonLines("corpus-oracle.jsonl")
        #expect(entries.count == 80)
        var accepted = 0
        for entry in entries {
            let file = try #require(entry["file"] as? String)
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
            #expect(bytes.count == entry["size"] as? Int, "\(file)")
            let oracle = try #require(entry["dnspython"] as? [String: Any])
            if oracle["ok"] as? Bool == true { accepted += 1 }
            try Self.check(bytes, against: oracle, label: file)
        }
        #expect(accepted == 66)
    }

    @Test("every file of the three fuzzing corpora decodes or is rejected, and what decodes round-trips")
    func everyCorpusFile() throws {
        let directory = try SharedCorpora.dnsDirectory()
        var files = 0
        var decoded = 0
        for corpus in ["c-ares-fuzzinput", "pdns-fuzzing", "knot-fuzz"] {
            let root = directory.appendingPathComponent(corpus)
            let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
            for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                files += 1
                let bytes = Array(try Data(contentsOf: url))
                if let message = try? Message(decoding: bytes) {
                    decoded += 1
                    let again = try Message(decoding: try message.encode())
                    #expect(again == message, "\(url.path)")
                }
                // Name-only corpora (c-ares fuzznames, knot dname_to_str) hold wire names; every
                // file also goes through the standalone name decoder and the text parser.
                if let name = try? DomainName.decode(bytes, at: 0).name {
                    #expect(try DomainName(name.description) == name, "\(url.path)")
                }
                if let text = String(bytes: bytes, encoding: .utf8),
                    let name = try? DomainName(text.trimmingCharacters(in: .newlines)) {
                    #expect(try DomainName(name.description) == name, "\(url.path)")
                }
            }
        }
        #expect(files >= 170)
        #expect(decoded >= 66)
    }

    /// Decodes `bytes` and compares with dnspython's verdict and decode.
    static func check(_ bytes: [UInt8], against oracle: [String: Any], label: String) throws {
        let outcome = Result { () throws(DNSWireError) in try Message(decoding: bytes) }
        if verdictsWeChoseOtherwise[label] != nil { return }
        switch (outcome, oracle["ok"] as? Bool) {
        case (.success(let message), true?):
            #expect(Int(message.header.id) == oracle["id"] as? Int, "\(label)")
            #expect(dnspythonFlags(message.header) == oracle["flags"] as? String, "\(label)")
            #expect(Int(message.header.rcode.rawValue) == oracle["rcode"] as? Int, "\(label)")
            #expect(message.edns.map { Int($0.version) } ?? -1 == oracle["edns"] as? Int, "\(label)")
            #expect(message.edns.map { Int($0.udpPayloadSize) } == oracle["payload"] as? Int, "\(label)")
            let theirs = DnspythonText(parsing: try #require(oracle["text"] as? String)).comparable
            let ours = DnspythonText(rendering: message).comparable
            // dnspython counts the records of its RRsets (duplicates dropped).
            let counts = [ours.question.count, ours.answer.count, ours.authority.count, ours.additional.count]
            #expect(counts == oracle["counts"] as? [Int], "\(label)")
            #expect(ours == theirs, "\(label)")
            let again = try Message(decoding: try message.encode())
            #expect(again == message, "\(label): round trip")
        case (.failure(let error), false?):
            let exception = try #require(oracle["error"] as? String)
            if sameVerdictOtherFault[label] == nil {
                #expect(agrees(error, withDnspython: exception), "\(label): we threw \(error), dnspython \(exception)")
            }
        case (let ours, let theirs):
            Issue.record("\(label): DNSWire \(ours), dnspython ok=\(String(describing: theirs))")
        }
    }
}
