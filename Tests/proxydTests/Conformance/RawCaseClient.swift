import Foundation

/// The client side of one harness case: connect from `source` (a 127.x.y.z address of its
/// own, which proxyd copies into `X-Harness-Case`), send the case byte for byte in one go,
/// then read everything proxyd answers until it closes or `timeout` passes.
enum RawCaseClient {
    struct Exchange: Sendable {
        var received: [UInt8] = []
        /// proxyd closed the connection (end of stream or reset).
        var closed = false
        var reset = false
        var connectError: Int32?
    }

    static func run(_ bytes: [UInt8], from source: String, to port: Int, timeout: Duration) -> Exchange {
        var exchange = Exchange()
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            exchange.connectError = errno
            return exchange
        }
        defer { close(descriptor) }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let connected = withUnsafePointer(to: &local) { localPointer in
            withUnsafePointer(to: &remote) { remotePointer in
                localPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { l in
                    remotePointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { r in
                        bind(descriptor, l, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                            && connect(descriptor, r, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                    }
                }
            }
        }
        guard connected else {
            exchange.connectError = errno
            return exchange
        }
        var sent = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var events = Int16(POLLIN)
            if sent < bytes.count { events |= Int16(POLLOUT) }
            var ready = pollfd(fd: descriptor, events: events, revents: 0)
            guard poll(&ready, 1, 50) > 0 else { continue }
            if sent < bytes.count && ready.revents & Int16(POLLOUT) != 0 {
                let n = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n > 0 { sent += n } else if errno != EAGAIN { sent = bytes.count }  // proxyd stopped reading
            }
            if ready.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 {
                    exchange.received += buffer[0..<n]
                } else if n == 0 || errno != EAGAIN {
                    exchange.closed = true
                    exchange.reset = n < 0
                    break
                }
            }
        }
        return exchange
    }
}
