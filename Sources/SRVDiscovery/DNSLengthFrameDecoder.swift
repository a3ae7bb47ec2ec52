import NIOCore

/// Splits a TCP byte stream into DNS messages, each preceded by a two-octet length
/// (RFC 1035 §4.2.2, RFC 7766 §8), and hands each on as an `AddressedEnvelope` from the
/// connected peer, so the same ``ExchangeHandler`` serves UDP and TCP.
struct DNSLengthFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = AddressedEnvelope<ByteBuffer>

    /// The connected nameserver, reported as each message's source.
    let peer: SocketAddress

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length)
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let frame = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(AddressedEnvelope(remoteAddress: peer, data: frame)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
