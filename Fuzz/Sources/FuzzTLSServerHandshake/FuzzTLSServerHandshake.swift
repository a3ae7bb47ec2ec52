// Feeds arbitrary bytes, split into arbitrary chunks, to TLSServerHandler as if they came
// from the socket: the handler must never trap, whatever OpenSSL makes of them, and must end
// either waiting for more bytes or closed. The first input byte picks the chunk size.
import Logging
import NIOCore
import NIOEmbedded
import TLSTerm

private final class Sink: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

private func fixture() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast()
    return parts.joined(separator: "/") + "/Fixtures/fuzz-ecdsa.pem"
}

private let serverContext: TLSServerContext? = {
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    guard let store = try? CertificateStore(sources: [.combinedPEM(fixture())], logger: logger) else { return nil }
    return try? TLSServerContext(certificates: store, logger: logger)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let serverContext, count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let chunkSize = Int(bytes[0]) + 1
    let channel = EmbeddedChannel()
    do {
        try channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: serverContext))
        try channel.pipeline.syncOperations.addHandler(Sink())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).wait()
        var offset = 1
        while offset < count, channel.isActive {
            let end = min(count, offset + chunkSize)
            try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
            while try channel.readOutbound(as: ByteBuffer.self) != nil {}
            offset = end
        }
    } catch {
        // Writing to a channel the handler closed is an expected outcome.
    }
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return 0
}
