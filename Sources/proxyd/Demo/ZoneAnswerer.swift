import DNSWire

/// Answers DNS queries authoritatively from an in-memory zone, the way AWS Cloud Map's private
/// zones answer for ECS: an SRV answer carries the A/AAAA records of its targets in the
/// Additional section, so one round trip gives host, port and address.
///
/// A pure function from query to response, so its rules are tested without sockets; the
/// `DemoDNSServer` only moves bytes.
struct ZoneAnswerer: Sendable {
    /// The zone's apex (`internal.`).
    var origin: DomainName
    var records: [ResourceRecord]
    /// The TTL of negative answers (RFC 2308 §5: the SOA minimum).
    var negativeTTL: UInt32 = 5

    /// The response to `query`, or nil when it must not be answered (it is itself a response;
    /// answering would let two servers loop).
    func answer(_ query: Message) -> Message? {
        guard !query.header.isResponse else { return nil }
        var response = Message(header: Header(
            id: query.header.id, isResponse: true, opcode: query.header.opcode,
            authoritativeAnswer: false, recursionDesired: query.header.recursionDesired
        ))
        response.questions = query.questions
        if let edns = query.edns {
            // RFC 6891 §6.1.3: only version 0 exists; anything else gets BADVERS.
            response.edns = EDNS(udpPayloadSize: 1232)
            if edns.version != 0 {
                response.header.rcode = .badVersion
                return response
            }
        }
        guard query.header.opcode == .query, query.questions.count == 1, let question = query.questions.first else {
            response.header.rcode = query.header.opcode == .query ? .formatError : .notImplemented
            return response
        }
        guard question.name.isSubdomain(of: origin), question.recordClass == .in || question.recordClass == .any else {
            response.header.rcode = .refused
            return response
        }
        response.header.authoritativeAnswer = true
        let owned = records.filter { $0.name == question.name }
        guard !owned.isEmpty || question.name == origin else {
            response.header.rcode = .nameError
            response.authorities = [soa]
            return response
        }
        response.answers = owned.filter { question.type == .any || $0.type == question.type }
        if response.answers.isEmpty {
            response.authorities = [soa]  // NODATA (RFC 2308 §2.2)
            return response
        }
        for case .srv(let srv) in response.answers.map(\.data) {
            response.additionals += records.filter { $0.name == srv.target && ($0.type == .a || $0.type == .aaaa) }
        }
        return response
    }

    /// The zone's SOA, for negative answers.
    var soa: ResourceRecord {
        let mailbox = (try? DomainName("hostmaster.\(origin)")) ?? origin
        let primary = (try? DomainName("ns.\(origin)")) ?? origin
        return ResourceRecord(name: origin, ttl: negativeTTL, data: .soa(SOA(
            primaryNameServer: primary, responsibleMailbox: mailbox,
            serial: 1, refresh: 60, retry: 10, expire: 600, minimum: negativeTTL
        )))
    }

    /// The bytes to send back for a query received over UDP (`maxUDPSize` set: the client's
    /// EDNS payload size, or 512 without EDNS; TC when the answer does not fit) or TCP.
    func responseBytes(for queryBytes: [UInt8], overUDP: Bool) -> [UInt8]? {
        guard let query = try? Message(decoding: queryBytes) else {
            // A query we cannot decode still gets FORMERR when its ID can be read (RFC 1035 §4.1.1).
            guard let header = try? Header(decoding: queryBytes), !header.isResponse else { return nil }
            let error = Message(header: Header(id: header.id, isResponse: true, opcode: header.opcode, rcode: .formatError))
            return try? error.encode()
        }
        guard let response = answer(query) else { return nil }
        let limit = overUDP ? max(512, Int(min(query.edns?.udpPayloadSize ?? 512, 1232))) : nil
        return try? response.encode(maxSize: limit)
    }
}
