public import DNSWire

/// Something that answers DNS questions: ``DNSResolver`` on the network, or a scripted
/// stand-in in tests. ``SRVResolver`` depends only on this.
public protocol DNSResolving: Sendable {
    /// The records of `type` for `name`, CNAMEs followed; negative and failed answers throw.
    func lookup(_ name: DomainName, type: RecordType) async throws(ResolverError) -> DNSAnswer
    /// The counters of this resolver.
    var counters: ResolverCounters { get }
}
