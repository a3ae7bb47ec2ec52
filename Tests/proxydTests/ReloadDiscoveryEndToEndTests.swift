import Foundation
import PeerHarness
import Testing

/// Reloads of a proxy that follows a real BIND's SRV records: an SRV backend that is kept
/// keeps its watcher and endpoints; one that is replaced starts from the endpoints it replaces
/// instead of from none — either way no request fails.
@Suite("proxyd reload with SRV discovery", .serialized)
struct ReloadDiscoveryEndToEndTests {
    static func configuration(dnsPorts: [Int], timeout: String, generation: String) -> String {
        """
        resolvers:
          cloudmap:
            nameservers: [\(dnsPorts.map { "\"127.0.0.1:\($0)\"" }.joined(separator: ", "))]
            timeout: \(timeout)
            attempts: 2
            removal_grace: 1s
            min_ttl: 1s
            max_ttl: 2s
        backends:
          hello:
            srv: { name: _hello-world-service.internal, resolver: cloudmap }
        listeners:
          - name: web
            bind: LISTEN
            rules:
              - set_header: { name: X-Gen, value: \(generation) }
            backend: hello
        timeouts: { connect: 1s, server: 5s }
        """
    }

    @Test("reloads that keep and then replace an SRV backend (its first nameserver silent) under keep-alive load fail no request")
    func srvBackendAcrossReloads() async throws {
        let wrk = try ExternalTool.locate("wrk", package: "wrk")
        let named = try await NamedServer.start()
        defer { named.stop() }
        let fixture = try ProxyFixture()
        defer { fixture.stop() }
        for name in ["task-1", "task-2"] {
            let address = try await fixture.startTask(name: name)
            let port = Int(address.split(separator: ":").last ?? "") ?? 0
            try await named.register([CloudMapTask(taskID: name, address: "127.0.0.1", port: port, ttl: 1)])
        }
        try await fixture.startProxyOnFixedPort(yaml: Self.configuration(dnsPorts: [named.port], timeout: "300ms", generation: "one"))
        // Discovery is asynchronous: wait until both tasks answer.
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, try await Self.tasks(at: fixture.address).count < 2 {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try await Self.tasks(at: fixture.address) == ["task-1", "task-2"])

        async let load = ExternalTool.run(wrk, ["-t2", "-c16", "-d6s", "http://\(fixture.address)/"], timeout: .seconds(40))
        try await Task.sleep(for: .seconds(1.5))
        var line = try await fixture.reload(yaml: Self.configuration(dnsPorts: [named.port], timeout: "300ms", generation: "two"))
        #expect(line.contains("backends: 1 kept, 0 replaced"), "\(line)")
        try await Task.sleep(for: .seconds(1.5))
        // A nameserver that never answers goes first: the new watcher's first answer comes only
        // after a timeout, which the replaced backend bridges with the endpoints it inherits.
        let silent = try SilentUDPSocket()
        line = try await fixture.reload(yaml: Self.configuration(dnsPorts: [silent.port, named.port], timeout: "400ms", generation: "three"))
        #expect(line.contains("backends: 0 kept, 1 replaced"), "\(line)")
        let result = try await load
        let report = WrkReport(result.out)
        #expect(report.requests > 200, "\(result.out)")
        #expect(report.socketErrors == 0, "\(result.out)")
        #expect(report.non2xx == 0, "\(result.out)")
        #expect(try await Self.tasks(at: fixture.address) == ["task-1", "task-2"])
        #expect(try await Curl.run(["http://\(fixture.address)/"]).out.contains("\nX-Gen: three\n"))
    }

    /// The tasks that answered eight keep-alive requests.
    static func tasks(at address: String) async throws -> Set<String> {
        let result = try await Curl.run(Array(repeating: "http://\(address)/", count: 8))
        return Set(result.out.split(separator: "\n").filter { $0.hasPrefix("hello from ") }.map { String($0.dropFirst("hello from ".count)) })
    }
}

/// A UDP socket on 127.0.0.1 that receives and never answers: a DNS server that is down
/// without the ICMP "port unreachable" that would make the resolver fail over at once.
final class SilentUDPSocket {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
