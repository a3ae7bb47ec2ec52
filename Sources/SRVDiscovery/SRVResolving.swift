/// Something that turns an SRV name into endpoints: ``SRVResolver`` on the network, or a
/// scripted stand-in in tests. ``EndpointWatcher`` depends only on this.
public protocol SRVResolving: Sendable {
    /// Resolves `name` (e.g. `_hello-world-service.internal.`) to endpoints.
    func resolveSRV(_ name: String) async throws(ResolverError) -> SRVAnswer
    /// The counters of the resolver doing the work.
    var counters: ResolverCounters { get }
}
