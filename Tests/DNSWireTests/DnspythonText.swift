import DNSWire

/// dnspython's `Message.to_text()` output, split into its parts, and the same text rendered
/// from a DNSWire `Message`, so that conformance tests can compare record by record.
struct DnspythonText: Equatable {
    var headerLines: [String] = []
    var question: [String] = []
    var answer: [String] = []
    var authority: [String] = []
    var additional: [String] = []

    /// Splits dnspython's text at `;QUESTION`, `;ANSWER`, `;AUTHORITY`, `;ADDITIONAL`.
    init(parsing text: String) {
        var current = 0
        for line in text.split(separator: "\n").map(String.init) {
            switch line {
            case ";QUESTION": current = 1
            case ";ANSWER": current = 2
            case ";AUTHORITY": current = 3
            case ";ADDITIONAL": current = 4
            default:
                switch current {
                case 0: headerLines.append(line)
                case 1: question.append(line)
                case 2: answer.append(line)
                case 3: authority.append(line)
                default: additional.append(line)
                }
            }
        }
    }

    /// Renders the sections of `message` the way dnspython prints them: records grouped into
    /// RRsets (same owner, class, type, and for RRSIG the covered type) in order of first
    /// appearance, duplicate data dropped, each RRset with the smallest TTL of its records and
    /// TTLs above 2^31-1 read as 0 (RFC 2181 §8). Record data of types DNSWire keeps raw is
    /// rendered as `<raw>`; `comparable` masks dnspython's side alike.
    init(rendering message: Message) {
        question = message.questions.map { "\($0.name) \(DnspythonText.mnemonic($0.recordClass)) \(DnspythonText.mnemonic($0.type))" }
        answer = DnspythonText.render(message.answers)
        authority = DnspythonText.render(message.authorities)
        additional = DnspythonText.render(message.additionals)
    }

    /// Records grouped as dnspython's RRsets, one line per distinct record.
    static func render(_ records: [ResourceRecord]) -> [String] {
        struct Key: Hashable {
            let name: DomainName
            let recordClass: RecordClass
            let type: RecordType
            let covers: [UInt8]
        }
        var order: [Key] = []
        var sets: [Key: (ttl: UInt32, data: [RecordData])] = [:]
        for record in records {
            var covers: [UInt8] = []
            if record.type.rawValue == 46, case .unknown(_, let data) = record.data { covers = Array(data.prefix(2)) }
            let key = Key(name: record.name, recordClass: record.recordClass, type: record.type, covers: covers)
            let ttl = record.ttl > 0x7FFF_FFFF ? 0 : record.ttl
            if var set = sets[key] {
                set.ttl = min(set.ttl, ttl)
                if !set.data.contains(record.data) { set.data.append(record.data) }
                sets[key] = set
            } else {
                order.append(key)
                sets[key] = (ttl, [record.data])
            }
        }
        return order.flatMap { key in
            let set = sets[key]!
            return set.data.map { data in
                render(ResourceRecord(name: key.name, recordClass: key.recordClass, ttl: set.ttl, data: data))
            }
        }
    }

    /// dnspython's mnemonics for the types the corpora hold that DNSWire keeps raw.
    static func mnemonic(_ type: RecordType) -> String {
        [13: "HINFO", 35: "NAPTR", 43: "DS", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 50: "NSEC3", 99: "SPF", 257: "CAA"][type.rawValue]
            ?? type.description
    }

    /// dnspython calls class 0 `RESERVED0`.
    static func mnemonic(_ recordClass: RecordClass) -> String {
        recordClass.rawValue == 0 ? "RESERVED0" : recordClass.description
    }

    /// The record data of the types DNSWire does not model is replaced by `<raw>`.
    var comparable: DnspythonText {
        var copy = self
        copy.headerLines = []
        func mask(_ line: String) -> String {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 4 else { return line }
            let typed: Set<Substring> = ["A", "AAAA", "CNAME", "NS", "PTR", "SOA", "MX", "TXT", "SRV"]
            if typed.contains(parts[3]), parts[2] == "IN" || !["A", "AAAA", "SRV"].contains(parts[3]) { return line }
            return parts[0...3].joined(separator: " ") + " <raw>"
        }
        copy.answer = answer.map(mask)
        copy.authority = authority.map(mask)
        copy.additional = additional.map(mask)
        return copy
    }

    static func render(_ record: ResourceRecord) -> String {
        let head = "\(record.name) \(record.ttl) \(mnemonic(record.recordClass)) \(mnemonic(record.type))"
        let data: String
        switch record.data {
        case .a(let address): data = address.description
        case .aaaa(let address): data = address.description
        case .cname(let target), .ns(let target), .ptr(let target): data = target.description
        case .soa(let soa):
            data = "\(soa.primaryNameServer) \(soa.responsibleMailbox) \(soa.serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
        case .mx(let mx): data = "\(mx.preference) \(mx.exchange)"
        case .txt(let strings): data = strings.map(quoted).joined(separator: " ")
        case .srv(let srv): data = "\(srv.priority) \(srv.weight) \(srv.port) \(srv.target)"
        case .unknown: data = "<raw>"
        }
        return head + " " + data
    }

    /// A character-string as dnspython quotes it: `"` and `\` escaped, non-printables `\DDD`.
    static func quoted(_ string: [UInt8]) -> String {
        var text = "\""
        for octet in string {
            switch octet {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(octet))
            case 0x20..<0x7F: text += String(UnicodeScalar(octet))
            default: text += "\\" + String(format3: octet)
            }
        }
        return text + "\""
    }
}

extension String {
    /// Three-digit decimal, as in `\DDD`.
    init(format3 octet: UInt8) {
        let digits = String(octet)
        self = String(repeating: "0", count: 3 - digits.count) + digits
    }
}

/// dnspython's header flags text ("QR AA RD"), in its order.
func dnspythonFlags(_ header: Header) -> String {
    var flags: [String] = []
    if header.isResponse { flags.append("QR") }
    if header.authoritativeAnswer { flags.append("AA") }
    if header.truncated { flags.append("TC") }
    if header.recursionDesired { flags.append("RD") }
    if header.recursionAvailable { flags.append("RA") }
    if header.authenticData { flags.append("AD") }
    if header.checkingDisabled { flags.append("CD") }
    return flags.joined(separator: " ")
}
