import Logging
import NIOCore
import Testing
@testable import TLSTerm

@Suite("TLSConnection: the OpenSSL engine between memory BIOs")
struct TLSConnectionTests {
    private func handshake(_ server: TLSConnection, _ client: InMemoryTLSClient) throws {
        for _ in 0..<8 {
            let done = try client.handshake()
            while let bytes = client.takeCiphertext() { server.receive(bytes) }
            _ = server.handshake()
            while let bytes = server.takeCiphertext(allocator: ByteBufferAllocator()) { client.receive(bytes) }
            if done { break }
        }
    }

    @Test("an idle connection gives back the buffers its drained BIOs kept from the handshake")
    func releasesIdleBuffers() async throws {
        let pki = try await TestPKI()
        let leaf = try await pki.issue("idle", commonName: "idle.test", dnsNames: ["idle.test"], serial: 1)
        let store = try CertificateStore(sources: [.combinedPEM(leaf.combined)], logger: Logger(label: "test"))
        let context = try TLSServerContext(certificates: store, logger: Logger(label: "test"))
        let server = try TLSConnection(context: context)
        let client = try InMemoryTLSClient(serverName: "idle.test")
        try handshake(server, client)
        #expect(server.sessionInfo.serverName == "idle.test")
        #expect(server.bioCapacity > 1_000)  // ClientHello in, certificate flight out
        server.releaseIdleBuffers()
        #expect(server.bioCapacity == 0)
    }
}
