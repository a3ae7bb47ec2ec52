/// A DNS message: header, question, answer, authority and additional sections, and EDNS
/// (RFC 1035 §4.1, RFC 6891).
///
/// Decode with `Message(decoding:)`, encode with `encode(maxSize:)`; build a query with
/// `Message.query(id:name:type:recursionDesired:edns:)`. The section counts of the wire header
/// are the sizes of the arrays; the OPT record is `edns`, never an element of `additionals`.
public struct Message: Hashable, Sendable {
    /// ID, flags and the full (extended) response code.
    public var header: Header
    /// The question section; normally one question.
    public var questions: [Question]
    /// Records answering the question.
    public var answers: [ResourceRecord]
    /// Records pointing to authoritative servers, or the SOA of a negative answer.
    public var authorities: [ResourceRecord]
    /// Records that help use the answer (e.g. A records of SRV targets), without the OPT record.
    public var additionals: [ResourceRecord]
    /// EDNS(0) information from or for the OPT record; `nil` when the message has none.
    public var edns: EDNS?

    /// Creates a message from its parts.
    public init(
        header: Header,
        questions: [Question] = [],
        answers: [ResourceRecord] = [],
        authorities: [ResourceRecord] = [],
        additionals: [ResourceRecord] = [],
        edns: EDNS? = nil
    ) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }

    /// A standard query for one name and type, class IN.
    ///
    /// - Parameters:
    ///   - id: the query ID; use a fresh random value per query (RFC 5452 §9.2).
    ///   - name: the name asked about, e.g. `_hello-world-service.internal` for an SRV lookup.
    ///   - type: the record type asked for.
    ///   - recordClass: the class; IN unless you talk to a server about CHAOS or HESIOD data.
    ///   - recursionDesired: set RD, as a stub resolver talking to a recursive server does.
    ///   - edns: the EDNS information to send; the default advertises a 1232-octet UDP payload
    ///     so that answers with many SRV records need TCP less often. Pass `nil` for plain DNS.
    public static func query(
        id: UInt16,
        name: DomainName,
        type: RecordType,
        recordClass: RecordClass = .in,
        recursionDesired: Bool = true,
        edns: EDNS? = EDNS()
    ) -> Message {
        Message(
            header: Header(id: id, recursionDesired: recursionDesired),
            questions: [Question(name: name, type: type, recordClass: recordClass)],
            edns: edns
        )
    }

    /// The records of `section` (empty for `.question`).
    public func records(in section: Section) -> [ResourceRecord] {
        switch section {
        case .question: []
        case .answer: answers
        case .authority: authorities
        case .additional: additionals
        }
    }
}
