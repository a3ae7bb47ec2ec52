/// An entry of the question section: what is being asked (RFC 1035 §4.1.2).
public struct Question: Hashable, Sendable {
    /// The name asked about (QNAME).
    public var name: DomainName
    /// The type asked for (QTYPE), which may be a meta type such as `.any`.
    public var type: RecordType
    /// The class asked for (QCLASS), almost always `.in`.
    public var recordClass: RecordClass

    /// Creates a question.
    public init(name: DomainName, type: RecordType, recordClass: RecordClass = .in) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }
}
