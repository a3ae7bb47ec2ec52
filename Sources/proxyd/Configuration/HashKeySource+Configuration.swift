import LoadBalance

/// LoadBalance's ``HashKeySource`` as the native YAML names it (`backends.NAME.balance.hash_key`),
/// so that the configuration, `proxyd convert` and the forwarding path share one type.
extension HashKeySource {
    /// `source`, `uri` (the path before `?`, HAProxy's `balance uri`), `uri:whole` (with the
    /// query, `balance uri whole`) or `header:NAME`.
    init?(configurationName name: String) {
        switch name {
        case "source": self = .clientAddress
        case "uri": self = .uri(includeQuery: false)
        case "uri:whole": self = .uri(includeQuery: true)
        case let header where header.hasPrefix("header:") && header.count > 7:
            self = .header(String(header.dropFirst(7)))
        default: return nil
        }
    }

    /// The YAML spelling, the inverse of ``init(configurationName:)``.
    var configurationName: String {
        switch self {
        case .clientAddress: "source"
        case .uri(let includeQuery): includeQuery ? "uri:whole" : "uri"
        case .header(let name): "header:\(name)"
        }
    }
}
