import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SRVBalancer

/// `SRVClient --srv NAME [--nameserver IP:PORT] [--calls N]`: makes N calls (default 10) to
/// the tasks behind an SRV name and prints which task answered each. Without `--nameserver`
/// it asks the machine's resolver (/etc/resolv.conf), as a service on ECS would.
@main
struct SRVClientCommand {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String) -> String? {
            arguments.firstIndex(of: flag).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
        }
        guard let name = value("--srv") else {
            FileHandle.standardError.write(Data("usage: SRVClient --srv NAME [--nameserver IP:PORT] [--calls N]\n".utf8))
            exit(64)
        }
        var resolver = ResolverSource.system
        if let nameserver = value("--nameserver") {
            let parts = nameserver.split(separator: ":")
            let port = parts.count == 2 ? Int(parts[1]) ?? 53 : 53
            resolver = .nameservers([try SocketAddress(ipAddress: String(parts[0]), port: port)])
        }
        let calls = value("--calls").flatMap { Int($0) } ?? 10

        let pool = try DiscoveredEndpoints(srv: name, resolver: resolver, logger: Logger(label: "SRVClient"))
        let http = HelloWorldClient.makeHTTPClient()
        let client = HelloWorldClient(pool: pool, http: http)
        await withTaskGroup(of: Void.self) { group in
            // In a server, add the pool to the ServiceGroup instead: run() ends at shutdown.
            group.addTask { try? await pool.run() }
            for _ in 0..<calls {
                do {
                    let reply = try await client.hello()
                    print("\(reply.status) \(reply.body)", terminator: "")
                } catch {
                    print("failed: \(error)")
                }
            }
            group.cancelAll()
        }
        try await http.shutdown()
    }
}
