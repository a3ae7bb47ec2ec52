#if canImport(Glibc)
import Glibc
#endif

/// Sends framed log messages to ``SyslogTarget``s: one unconnected datagram socket per address
/// family, created once, and `sendto` with the target's address for every message — as HAProxy
/// does. An unconnected socket keeps no peer state, so when journald or rsyslog restarts and
/// re-creates `/dev/log`, the next message reaches the new socket (nothing to reconnect).
///
/// Sending never blocks: `MSG_DONTWAIT`; a full socket buffer (`EAGAIN`) or an absent
/// receiver (`ECONNREFUSED`, `ENOENT`) loses that message and counts it, as HAProxy's
/// `dropped_logs`. `stdout`/`stderr` are written like the access log file.
///
/// Confined to ``AccessLogWriter``'s thread after ``init(targets:)``.
final class SyslogSender {
    private enum Route {
        case datagram(socket: Int32, address: sockaddr_storage, length: socklen_t)
        case descriptor(Int32)
    }

    let targets: [SyslogTarget]
    private var routes: [Route] = []
    private var sockets: [Int32: Int32] = [:]

    /// Why a target cannot be used; thrown at start so that `proxyd run` fails early.
    struct SetupError: Error, CustomStringConvertible {
        var target: String
        var reason: String
        var description: String { "cannot log to \(target): \(reason)" }
    }

    init(targets: [SyslogTarget]) throws(SetupError) {
        self.targets = targets
        do throws(SetupError) {
            for target in targets { routes.append(try route(for: target)) }
        } catch {
            close()
            throw error
        }
    }

    /// Sends one framed message to target number `index`; false when it was not delivered.
    func send(_ bytes: [UInt8], to index: Int) -> Bool {
        switch routes[index] {
        case .descriptor(let fd):
            return Self.writeAll(fd, bytes)
        case .datagram(let socket, var address, let length):
            let sent = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddr in
                        sendto(socket, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), sockaddr, length)
                    }
                }
            }
            return sent == bytes.count
        }
    }

    /// Closes the sockets.
    func close() {
        for socket in sockets.values { _ = Glibc.close(socket) }
        sockets.removeAll()
    }

    private func route(for target: SyslogTarget) throws(SetupError) -> Route {
        switch target.address {
        case .standardOutput: return .descriptor(STDOUT_FILENO)
        case .standardError: return .descriptor(STDERR_FILENO)
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            let bytes = Array(path.utf8)
            guard bytes.count < capacity else { throw SetupError(target: path, reason: "the path is longer than \(capacity - 1) bytes") }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
            }
            return .datagram(socket: try socket(family: AF_UNIX, for: target), address: Self.storage(address), length: socklen_t(MemoryLayout<sockaddr_un>.size))
        case .udp(let host, let port):
            if host.contains(":") {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw SetupError(target: "\(target.address)", reason: "not an IPv6 address") }
                return .datagram(socket: try socket(family: AF_INET6, for: target), address: Self.storage(address), length: socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SetupError(target: "\(target.address)", reason: "not an IPv4 address") }
            return .datagram(socket: try socket(family: AF_INET, for: target), address: Self.storage(address), length: socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }

    /// The one datagram socket of `family`, made on first use; it receives nothing.
    private func socket(family: Int32, for target: SyslogTarget) throws(SetupError) -> Int32 {
        if let existing = sockets[family] { return existing }
        let fd = Glibc.socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SetupError(target: "\(target.address)", reason: String(cString: strerror(errno))) }
        var zero: Int32 = 0
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, socklen_t(MemoryLayout<Int32>.size))
        _ = shutdown(fd, Int32(SHUT_RD))
        sockets[family] = fd
        return fd
    }

    private static func storage<Address>(_ address: Address) -> sockaddr_storage {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { source in target.copyMemory(from: source) }
        }
        return storage
    }

    /// Writes all of `bytes` to a file descriptor, retrying after signals.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let result = write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += result
            }
            return true
        }
    }
}
