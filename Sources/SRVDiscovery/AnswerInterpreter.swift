import DNSWire

/// Reads a matching response: RCODE, CNAME chain, records of the asked type, negative TTL.
/// Pure, so each rule is tested on hand-made messages.
///
/// Rules:
/// - RCODE NXDOMAIN → `.nameError`, SERVFAIL → `.serverFailure`, REFUSED → `.refused`, any other
///   non-zero RCODE → `.unexpectedResponseCode` (RFC 1035 §4.1.1).
/// - The answer section is walked from the question name through CNAMEs (RFC 1034 §3.6.2),
///   case-insensitively, within `hopLimit` links across all responses and never revisiting a
///   name. Records of the asked type owned by the end of the chain are the answer.
/// - A chain that ends without such records and without a negative answer is returned as
///   `.followCNAME` so the caller asks for the target (a non-recursive server may not serve it).
/// - NOERROR with no records: NODATA (RFC 2308 §2.2).
/// - The negative TTL is min(SOA TTL, SOA MINIMUM) of the SOA in the authority section (RFC 2308 §5).
/// - Answer records that are neither chain links nor the answer, or are of another class, are
///   dropped and counted.
struct AnswerInterpreter {
    /// What to do with a response.
    enum Outcome: Sendable, Equatable {
        /// The final answer.
        case answer(DNSAnswer)
        /// The chain continues at `target`: ask again for it.
        case followCNAME(target: DomainName, chainTTL: UInt32, visited: [DomainName], recordsDropped: Int)
        /// A negative or failed answer.
        case failure(ResolverError)
    }

    /// The question as first asked (the one the user cares about).
    let original: Question
    /// CNAME links allowed in all.
    let hopLimit: Int

    /// Interprets `message`, which answers `asked` (the original question, or a CNAME target
    /// already reached via `visited`); `chainTTL` is the smallest TTL of links followed so far.
    func interpret(_ message: Message, asked: Question, visited: [DomainName], chainTTL: UInt32?, nameserver: String) -> Outcome {
        let negativeTTL = message.authorities.lazy.compactMap { record -> UInt32? in
            if case .soa(let soa) = record.data { return min(record.ttl, soa.minimum) }
            return nil
        }.first

        var visited = visited
        var current = asked.name
        var ttl = chainTTL
        var used = Set<Int>()
        var final: [ResourceRecord] = []
        while true {
            let owned = message.answers.indices.filter {
                message.answers[$0].name == current && message.answers[$0].recordClass == asked.recordClass
            }
            let matching = owned.filter { message.answers[$0].type == asked.type }
            if !matching.isEmpty {
                used.formUnion(matching)
                final = matching.map { message.answers[$0] }
                break
            }
            guard asked.type != .cname,
                  let link = owned.first(where: { message.answers[$0].type == .cname }),
                  case .cname(let target) = message.answers[link].data
            else { break }
            used.insert(link)
            ttl = min(ttl ?? .max, message.answers[link].ttl)
            if visited.contains(target) || visited.count > hopLimit {
                return .failure(.cnameChainTooLong(name: "\(original.name)", limit: hopLimit))
            }
            visited.append(target)
            current = target
        }
        let dropped = message.answers.count - used.count

        switch message.header.rcode {
        case .noError:
            break
        case .nameError:
            return .failure(.nameError(name: "\(current)", negativeTTL: negativeTTL))
        case .serverFailure:
            return .failure(.serverFailure(nameserver: nameserver))
        case .refused:
            return .failure(.refused(nameserver: nameserver))
        default:
            return .failure(.unexpectedResponseCode(code: message.header.rcode.rawValue, nameserver: nameserver))
        }
        if !final.isEmpty {
            let recordsTTL = final.map(\.ttl).min() ?? 0
            return .answer(DNSAnswer(
                question: original, canonicalName: current, records: final,
                additionals: message.additionals, ttl: min(recordsTTL, ttl ?? .max), recordsDropped: dropped))
        }
        if current != asked.name, negativeTTL == nil {
            return .followCNAME(target: current, chainTTL: ttl ?? .max, visited: visited, recordsDropped: dropped)
        }
        return .failure(.noData(name: "\(current)", type: "\(asked.type)", negativeTTL: negativeTTL))
    }
}
