/// The four sections of a DNS message (RFC 1035 §4.1), used to say where something was found.
public enum Section: Hashable, Sendable, CustomStringConvertible {
    /// The question section (QDCOUNT entries).
    case question
    /// The answer section (ANCOUNT records).
    case answer
    /// The authority section (NSCOUNT records).
    case authority
    /// The additional section (ARCOUNT records, including the OPT pseudo-record).
    case additional

    /// The section's name as RFC 1035 writes it.
    public var description: String {
        switch self {
        case .question: "question"
        case .answer: "answer"
        case .authority: "authority"
        case .additional: "additional"
        }
    }
}
