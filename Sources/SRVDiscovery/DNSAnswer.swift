public import DNSWire

/// The records that answer one question, after CNAMEs were followed.
public struct DNSAnswer: Sendable, Hashable {
    /// The question as asked.
    public var question: Question
    /// The name the records belong to: the question's name, or the end of its CNAME chain.
    public var canonicalName: DomainName
    /// The records of the asked type owned by `canonicalName` (never empty).
    public var records: [ResourceRecord]
    /// The additional section of the final response (e.g. A/AAAA of SRV targets, RFC 2782).
    public var additionals: [ResourceRecord]
    /// The smallest TTL of the records and of the CNAMEs followed: how long this may be used.
    public var ttl: UInt32
    /// Answer-section records that belonged neither to the chain nor to the answer.
    public var recordsDropped: Int

    /// Creates an answer (scripted resolvers in tests build them directly).
    public init(question: Question, canonicalName: DomainName, records: [ResourceRecord], additionals: [ResourceRecord] = [], ttl: UInt32, recordsDropped: Int = 0) {
        self.question = question
        self.canonicalName = canonicalName
        self.records = records
        self.additionals = additionals
        self.ttl = ttl
        self.recordsDropped = recordsDropped
    }
}
