import Foundation
import NIOCore
import SRVDiscovery
import Testing

@testable import SRVBalancer

@Suite("ResolverSource")
struct ResolverSourceTests {
    @Test("a resolv.conf file gives its nameservers, search list and options")
    func resolvConf() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("srvbalancer-resolv-\(UUID().uuidString).conf").path
        try "nameserver 127.0.0.1\nsearch internal\noptions timeout:1 attempts:3\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try ResolverSource.resolvConf(path: path).resolverConfig()
        #expect(config.nameservers == [try SocketAddress(ipAddress: "127.0.0.1", port: 53)])
        #expect(config.searchDomains == ["internal"])
        #expect(config.timeout == .seconds(1))
        #expect(config.attempts == 3)
    }

    @Test("an unreadable resolv.conf is refused when the pool is created, naming the file")
    func unreadable() throws {
        let path = "/nonexistent/srvbalancer/resolv.conf"
        do {
            _ = try DiscoveredEndpoints(srv: "_x.internal.", resolver: .resolvConf(path: path))
            Issue.record("created a pool from a missing file")
        } catch DiscoveredEndpointsError.resolverConfiguration(let error) {
            #expect(error.source == path)
            #expect("\(DiscoveredEndpointsError.resolverConfiguration(error))".contains(path))
        }
    }

    @Test("a resolver without nameservers is refused")
    func noNameservers() {
        #expect(throws: DiscoveredEndpointsError.noNameservers) {
            _ = try DiscoveredEndpoints(srv: "_x.internal.", resolver: .nameservers([]))
        }
    }

    @Test(".system stands for /etc/resolv.conf (read, never queried, here)")
    func system() {
        #expect(ResolverSource.systemResolvConfPath == "/etc/resolv.conf")
    }
}
