/// Errors thrown by ``LoadBalancer`` for input it cannot accept.
public enum LoadBalancerError: Error, Sendable, Hashable {
    /// A configuration field is out of range; `field` names it, `reason` says why.
    case invalidConfiguration(field: String, reason: String)
    /// A strategy parameter is out of range (`strategy` names the strategy).
    case invalidStrategy(strategy: String, reason: String)
    /// One update listed the same endpoint id twice; `index` is the second occurrence.
    case duplicateEndpointID(String, index: Int)
    /// An endpoint has a port outside `0...65535`.
    case invalidPort(id: String, port: Int)
    /// A health check result named an endpoint that is not in the table.
    case unknownEndpoint(String)
    /// ``LoadBalancer/withEndpoint(key:isolation:classify:failure:_:)`` found nothing to call.
    case noEndpoint(NoEndpointReason)
}
