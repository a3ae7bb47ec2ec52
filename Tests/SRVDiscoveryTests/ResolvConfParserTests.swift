import NIOCore
import Testing

@testable import SRVDiscovery

@Suite("resolv.conf parsing (fixture files only, never the machine's own)")
struct ResolvConfParserTests {
    private func parse(_ name: String) throws -> ResolverConfig {
        try ResolvConfParser.parse(contentsOf: FixturePath.resolvConf(name))
    }

    private func parseError(_ name: String) -> ResolvConfError? {
        do {
            _ = try ResolvConfParser.parse(contentsOf: FixturePath.resolvConf(name))
            return nil
        } catch {
            return error
        }
    }

    @Test("an ECS awsvpc resolv.conf gives the VPC resolver and its search domain with glibc defaults")
    func ecsFile() throws {
        let config = try parse("ecs-awsvpc.conf")
        #expect(config.nameservers == [try SocketAddress(ipAddress: "10.0.0.2", port: 53)])
        #expect(config.searchDomains == ["eu-west-1.compute.internal"])
        #expect(config.timeout == .seconds(5))
        #expect(config.attempts == 2)
        #expect(config.ndots == 1)
        #expect(config.rotate == false)
        #expect(config.ednsPayloadSize == 1232)
    }

    @Test("nameservers keep file order, accept IPv6, and stop at three like glibc's MAXNS")
    func nameserversCapped() throws {
        let config = try parse("full.conf")
        #expect(config.nameservers == [
            try SocketAddress(ipAddress: "127.0.0.53", port: 53),
            try SocketAddress(ipAddress: "2001:db8::53", port: 53),
            try SocketAddress(ipAddress: "192.0.2.10", port: 53),
        ])
    }

    @Test("options set ndots, timeout, attempts and rotate while unknown options and keywords are ignored")
    func options() throws {
        let config = try parse("full.conf")
        #expect(config.ndots == 5)
        #expect(config.timeout == .seconds(2))
        #expect(config.attempts == 3)
        #expect(config.rotate)
    }

    @Test("the later of search and domain wins")
    func lastSearchWins() throws {
        #expect(try parse("full.conf").searchDomains == ["svc.cluster.local", "cluster.local", "internal."])
        #expect(try parse("domain-after-search.conf").searchDomains == ["c.example"])
    }

    @Test("option values above glibc's caps are clamped to the cap")
    func clamped() throws {
        let config = try parse("clamped.conf")
        #expect(config.timeout == .seconds(30))
        #expect(config.attempts == 5)
        #expect(config.ndots == 15)
    }

    @Test("a file without nameserver lines falls back to 127.0.0.1 as glibc does")
    func noNameserver() throws {
        let config = try parse("empty.conf")
        #expect(config.nameservers == [try SocketAddress(ipAddress: "127.0.0.1", port: 53)])
        #expect(config.ndots == 2)
    }

    @Test("a nameserver that is not an IP literal is an error naming file and line")
    func badNameserver() {
        let path = FixturePath.resolvConf("bad-nameserver.conf")
        #expect(parseError("bad-nameserver.conf") == ResolvConfError(source: path, line: 3, reason: .invalidNameserver("dns.example.com")))
    }

    @Test("a non-numeric ndots is an error naming the option and the line")
    func badNdots() {
        let path = FixturePath.resolvConf("bad-ndots.conf")
        #expect(parseError("bad-ndots.conf") == ResolvConfError(source: path, line: 2, reason: .invalidOptionValue(option: "ndots", value: "x")))
    }

    @Test("a zero timeout is rejected rather than turned into a busy loop")
    func zeroTimeout() {
        let path = FixturePath.resolvConf("bad-timeout.conf")
        #expect(parseError("bad-timeout.conf") == ResolvConfError(source: path, line: 1, reason: .invalidOptionValue(option: "timeout", value: "0")))
    }

    @Test("a nameserver keyword without a value is an error")
    func missingValue() {
        let path = FixturePath.resolvConf("missing-value.conf")
        #expect(parseError("missing-value.conf") == ResolvConfError(source: path, line: 2, reason: .missingValue(keyword: "nameserver")))
    }

    @Test("a file that does not exist is reported as unreadable with its path")
    func unreadable() {
        let path = FixturePath.resolvConf("does-not-exist.conf")
        let error = parseError("does-not-exist.conf")
        #expect(error?.source == path)
        #expect(error?.line == 0)
        if case .unreadable = error?.reason {} else {
            Issue.record("expected .unreadable, got \(String(describing: error))")
        }
    }

    @Test("the error description reads file:line: what")
    func errorDescription() {
        let error = ResolvConfError(source: "/x/resolv.conf", line: 4, reason: .invalidNameserver("nope"))
        #expect(error.description == "/x/resolv.conf:4: nameserver 'nope' is not an IPv4 or IPv6 address")
    }
}

@Suite("search list expansion (resolv.conf(5) ndots rule)")
struct CandidateNameTests {
    private let config = ResolverConfig(
        nameservers: [], searchDomains: ["svc.local", "local"], ndots: 2)

    @Test("a name ending in a dot is absolute and tried alone")
    func absolute() {
        #expect(config.candidateNames(for: "_http._tcp.example.") == ["_http._tcp.example."])
    }

    @Test("a name with at least ndots dots is tried as-is first, then with the search domains")
    func enoughDots() {
        #expect(config.candidateNames(for: "a.b.c") == ["a.b.c.", "a.b.c.svc.local.", "a.b.c.local."])
    }

    @Test("a name with fewer dots than ndots tries the search domains first")
    func fewDots() {
        #expect(config.candidateNames(for: "api.x") == ["api.x.svc.local.", "api.x.local.", "api.x."])
    }
}
