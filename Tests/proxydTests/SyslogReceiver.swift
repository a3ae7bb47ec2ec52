import Foundation
import PeerHarness

/// A syslog server for tests: a datagram socket on 127.0.0.1 (UDP, port chosen by the kernel)
/// or at a Unix socket path (standing for `/dev/log`), keeping each datagram as received.
final class SyslogReceiver: @unchecked Sendable {
    // @unchecked: `descriptor` is set once in init; reads and `close` come from the owning test only.
    private let descriptor: Int32
    /// The UDP port, or 0 for a Unix socket.
    let port: Int
    /// The Unix socket path, when it is one.
    let path: String?

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// A UDP receiver on 127.0.0.1.
    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.descriptor = descriptor
        guard descriptor >= 0 else { throw SetupError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw SetupError(description: "bind: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
        path = nil
    }

    /// A Unix datagram receiver at `path` (replaced if it exists, as journald does).
    init(unixPath: String) throws {
        unlink(unixPath)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        self.descriptor = descriptor
        guard descriptor >= 0 else { throw SetupError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(unixPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard bound else { throw SetupError(description: "bind \(unixPath): \(String(cString: strerror(errno)))") }
        port = 0
        path = unixPath
    }

    /// Waits until `count` datagrams have arrived or `timeout` has passed, and returns what
    /// arrived; sleeps between polls rather than blocking a cooperative thread.
    func receive(_ count: Int, within timeout: Duration = .seconds(10)) async throws -> [String] {
        var messages: [String] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 70_000)
        while messages.count < count && ContinuousClock.now < deadline {
            let size = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if size >= 0 {
                messages.append(String(decoding: buffer[..<size], as: UTF8.self))
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        return messages
    }

    private var closed = false

    /// Closes the socket and removes its path (a syslog daemon going away).
    func close() {
        guard !closed else { return }
        closed = true
        _ = Glibc.close(descriptor)
        if let path { unlink(path) }
    }

    deinit { close() }
}
