import NIOCore

extension SocketAddress {
    /// `127.0.0.1:53` or `[::1]:53`: how nameservers are named in errors and logs.
    var hostAndPort: String {
        guard let ip = ipAddress, let port else { return "\(self)" }
        return self.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
