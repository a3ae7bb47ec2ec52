/// Why a pick returned no endpoint — an explicit answer the caller turns into a 503, never
/// a `nil` that slipped through.
public enum NoEndpointReason: Sendable, Hashable {
    /// The table has no endpoint that may take new requests (empty discovery answer, or
    /// every endpoint removed and draining).
    case noEndpoints
    /// Every endpoint is down or ejected and panic mode is disabled (threshold 0).
    case allUnhealthy
}
