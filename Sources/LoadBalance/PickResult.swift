/// The answer to a pick: an endpoint to use, or an explicit reason why there is none.
public enum PickResult: Sendable {
    /// Send the request to `lease.endpoint`, then call `lease.complete(_:now:)`.
    case endpoint(Lease)
    /// Nothing can take the request; a proxy answers 503.
    case noEndpoint(NoEndpointReason)

    /// The lease, or `nil` for ``noEndpoint(_:)`` — for callers that treat both alike.
    public var lease: Lease? {
        if case .endpoint(let lease) = self { return lease }
        return nil
    }
}
