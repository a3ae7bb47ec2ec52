public import NIOCore

/// A parsed head together with the bytes it was parsed from: what the NIO codecs deliver.
///
/// `bytes` is a slice of the connection's receive buffer (no copy); `head`'s offsets index it
/// from its reader index. Strings are only made when you ask for them.
public struct HTTPMessageHead: Sendable, Hashable {
    /// The head's bytes as received (including any empty lines skipped before it).
    public let bytes: ByteBuffer
    /// Offsets and meaning.
    public let head: HTTPHead

    /// Pairs a head with the buffer it was parsed from (offsets from its reader index).
    public init(bytes: ByteBuffer, head: HTTPHead) {
        self.bytes = bytes
        self.head = head
    }

    /// Request or response.
    public var kind: HTTPMessageKind { head.kind }
    /// The method (requests).
    public var method: HTTPMethod { head.method }
    /// HTTP/1.0 or HTTP/1.1.
    public var version: HTTPVersion { head.version }
    /// The status code (responses).
    public var status: Int { head.status }
    /// How the body is framed.
    public var framing: HTTPBodyFraming { head.framing }
    /// Whether the connection persists after this message.
    public var keepAlive: Bool { head.keepAlive }

    /// The method's name as a String.
    public var methodName: String { string(head.methodRange) }
    /// The request-target as a String.
    public var target: String { string(head.targetRange) }
    /// The reason phrase (responses).
    public var reason: String { string(head.reasonRange) }
    /// Every field as (name, value) Strings, in order.
    public var fields: [(name: String, value: String)] {
        head.fields.map { (string($0.nameRange), string($0.valueRange)) }
    }

    /// The value of the first field named `name` (case-insensitive), or nil.
    public func firstValue(_ name: String) -> String? {
        let lowered = name.utf8.map(ByteClass.lower)
        let index = bytes.withUnsafeReadableBytes { head.firstIndex(ofField: lowered, in: $0) }
        return index.map { string(head.fields[$0].valueRange) }
    }

    /// The value of the first field of a known kind (`.host`, `.upgrade`…): found by the
    /// kind the parser already recorded, without comparing names.
    public func firstValue(of known: HTTPKnownField) -> String? {
        head.firstIndex(of: known).map { string(head.fields[$0].valueRange) }
    }

    /// The bytes at `range` (offsets of `head`) as a slice, without copying.
    public func slice(_ range: Range<Int>) -> ByteBuffer {
        bytes.getSlice(at: bytes.readerIndex + range.lowerBound, length: range.count) ?? ByteBuffer()
    }

    private func string(_ range: Range<Int>) -> String {
        bytes.getString(at: bytes.readerIndex + range.lowerBound, length: range.count) ?? ""
    }

    /// Serializes this head with `edits` applied (e.g. for forwarding), without re-parsing.
    public func write(edits: HTTPHeaderEdits, into buffer: inout ByteBuffer) {
        bytes.withUnsafeReadableBytes { HTTPHeadSerializer.write(head, from: $0, edits: edits, into: &buffer) }
    }
}
