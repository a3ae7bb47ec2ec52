public import SRVDiscovery

/// Why a ``DiscoveredEndpoints`` pool could not be created, run or used.
public enum DiscoveredEndpointsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The resolv.conf file of a ``ResolverSource`` could not be read or parsed.
    case resolverConfiguration(ResolvConfError)
    /// The resolver configuration lists no nameserver, so nothing could ever be resolved.
    case noNameservers
    /// ``DiscoveredEndpoints/run()`` was called while it was already running or after it
    /// had returned: a pool follows its name once.
    case alreadyStarted(name: String)
    /// A call waited this long and no DNS answer had arrived yet — usually because
    /// ``DiscoveredEndpoints/run()`` is not running (not added to the service group).
    case noAnswerYet(name: String, waited: Duration)
    /// ``DiscoveredEndpoints/run()`` returned before any DNS answer arrived, so there is
    /// no endpoint to call.
    case stoppedBeforeFirstAnswer(name: String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .resolverConfiguration(let error):
            return "cannot read the resolver configuration: \(error)"
        case .noNameservers:
            return "the resolver configuration lists no nameserver"
        case .alreadyStarted(let name):
            return "run() of the pool for \(name) was already called; a pool runs once"
        case .noAnswerYet(let name, let waited):
            return "no DNS answer for \(name) within \(waited): is the pool's run() running (in a ServiceGroup or a task group)?"
        case .stoppedBeforeFirstAnswer(let name):
            return "the pool for \(name) stopped before the first DNS answer"
        }
    }
}
