import NIOCore
import NIOPosix

/// Finds a loopback port that is free for both UDP and TCP, as a DNS server needs both.
///
/// The port is drawn at random from below the kernel's ephemeral range
/// (`/proc/sys/net/ipv4/ip_local_port_range`, 32768–60999 by default). A port the kernel
/// picked itself (bind to port 0) would lie inside that range, where every outgoing
/// connection of a parallel test (curl, wrk, a proxy's pool) also takes its local port: in
/// the window between closing the probe sockets and the peer's own bind, such a connection
/// could take the port and the peer would fail to bind (seen in CI: the admin listener of a
/// `proxyd run` refused with EADDRINUSE). Below the range only another explicit bind can
/// collide, and the random draw makes that unlikely; both sockets are bound to check.
public enum FreePort {
    public struct Exhausted: Error, CustomStringConvertible {
        public var description: String { "no loopback port free for both UDP and TCP after 50 tries" }
    }

    /// The ports drawn from: from 20000 up to the start of the ephemeral range.
    static var candidates: Range<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let ephemeralStart = text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
        return ephemeralStart > 21000 ? 20000..<ephemeralStart : 10000..<20000
    }

    public static func udpAndTCP(host: String = "127.0.0.1") async throws -> Int {
        let group = MultiThreadedEventLoopGroup.singleton
        let range = candidates
        for _ in 0..<50 {
            let port = Int.random(in: range)
            guard let udp = try? await DatagramBootstrap(group: group).bind(host: host, port: port).get() else { continue }
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
