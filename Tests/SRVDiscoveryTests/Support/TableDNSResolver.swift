import DNSWire
import Synchronization

@testable import SRVDiscovery

/// A ``DNSResolving`` answering from a table, recording every question it was asked.
final class TableDNSResolver: DNSResolving {
    let counters = ResolverCounters()
    private let table: [String: Result<DNSAnswer, ResolverError>]
    private let asked = Mutex<[String]>([])

    init(_ table: [String: Result<DNSAnswer, ResolverError>]) {
        self.table = table
    }

    var questions: [String] { asked.withLock { $0.sorted() } }

    func lookup(_ name: DomainName, type: RecordType) async throws(ResolverError) -> DNSAnswer {
        let key = "\(name) \(type)"
        asked.withLock { $0.append(key) }
        guard let outcome = table[key] else { throw .nameError(name: "\(name)", negativeTTL: nil) }
        return try outcome.get()
    }
}
