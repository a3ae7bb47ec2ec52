import NIOCore
import NIOPosix

/// Finds a loopback port that is free for both UDP and TCP, as a DNS server needs both.
///
/// The kernel picks a UDP port (bind to port 0); the same port is then bound for TCP. If TCP
/// is taken there, another UDP port is tried. Both sockets are closed before returning, so a
/// short race with other processes remains; the callers fail with a clear message if the
/// server they start cannot bind.
public enum FreePort {
    public struct Exhausted: Error, CustomStringConvertible {
        public var description: String { "no loopback port free for both UDP and TCP after 20 tries" }
    }

    public static func udpAndTCP(host: String = "127.0.0.1") async throws -> Int {
        let group = MultiThreadedEventLoopGroup.singleton
        for _ in 0..<20 {
            let udp = try await DatagramBootstrap(group: group).bind(host: host, port: 0).get()
            guard let port = udp.localAddress?.port else {
                try? await udp.close()
                continue
            }
            let tcp = try? await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try? await udp.close()
            if let tcp {
                try? await tcp.close()
                return port
            }
        }
        throw Exhausted()
    }
}
