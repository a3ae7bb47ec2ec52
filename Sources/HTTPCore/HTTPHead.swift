/// A parsed request or response head: start line, field lines and what they mean for framing
/// and the connection, all as offsets into the bytes it was parsed from.
///
/// A head holds no bytes. Read names and values through `HTTPMessageHead` (which pairs a head
/// with its `ByteBuffer`), or with the buffer you parsed, e.g.
/// `bytes[head.fields[0].valueRange]`. Offsets count from the first byte of that buffer, which
/// may be an empty line the parser skipped (RFC 9112 §2.2), so `startLineRange.lowerBound` is
/// where the start line begins.
public struct HTTPHead: Hashable, Sendable {
    /// Request or response.
    public internal(set) var kind: HTTPMessageKind
    /// HTTP/1.0 or HTTP/1.1.
    public internal(set) var version: HTTPVersion
    /// The method (requests); `.get` for responses.
    public internal(set) var method: HTTPMethod
    /// The method's bytes (requests); empty for responses.
    public internal(set) var methodRange: Range<Int>
    /// The request-target's bytes (requests); empty for responses.
    public internal(set) var targetRange: Range<Int>
    /// The status code (responses); 0 for requests.
    public internal(set) var status: Int
    /// The reason phrase's bytes (responses), possibly empty.
    public internal(set) var reasonRange: Range<Int>
    /// The start line without its CRLF.
    public internal(set) var startLineRange: Range<Int>
    /// Every field line, in order.
    public internal(set) var fields: [HTTPField]
    /// Bytes from the start of the buffer through the empty line that ends the head.
    public internal(set) var length: Int

    /// How the body is delimited (RFC 9112 §6.3).
    public internal(set) var framing: HTTPBodyFraming
    /// Whether the connection stays open after this message (RFC 9112 §9.3).
    public internal(set) var keepAlive: Bool
    /// The `Connection` options.
    public internal(set) var connection: HTTPConnectionOptions
    /// A request that asks for `100 Continue` before sending its body (RFC 9110 §10.1.1);
    /// ignored for HTTP/1.0 requests as that section requires.
    public internal(set) var expectsContinue: Bool
    /// A request asking to switch protocols: `Connection: upgrade` plus an Upgrade field
    /// (RFC 9110 §7.8). The parser pauses after such a request until told whether the
    /// server accepted.
    public internal(set) var requestsUpgrade: Bool
    /// The Host value (requests), if present.
    public internal(set) var hostRange: Range<Int>?

    /// An empty head, before anything was parsed.
    init(kind: HTTPMessageKind) {
        self.kind = kind
        self.version = .http1_1
        self.method = .get
        self.methodRange = 0..<0
        self.targetRange = 0..<0
        self.status = 0
        self.reasonRange = 0..<0
        self.startLineRange = 0..<0
        self.fields = []
        self.length = 0
        self.framing = .none
        self.keepAlive = true
        self.connection = []
        self.expectsContinue = false
        self.requestsUpgrade = false
        self.hostRange = nil
    }

    /// Whether the connection turns into something else after this request if the server
    /// agrees: CONNECT (RFC 9110 §9.3.6) or an Upgrade request.
    public var mayTunnel: Bool { method == .connect || requestsUpgrade }

    /// Index of the first field whose name equals `lowercasedName` (ASCII, already lowercased).
    public func firstIndex(ofField lowercasedName: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        for (index, field) in fields.enumerated()
        where field.nameRange.upperBound <= bytes.count && ASCII.equalsLower(base, field.nameRange, lowercasedName) {
            return index
        }
        return nil
    }

    /// Index of the first field of a known kind.
    public func firstIndex(of known: HTTPKnownField) -> Int? {
        fields.firstIndex { $0.known == known }
    }

    /// Resets to an empty head of the same kind, keeping the field table's capacity so that
    /// parsing the next message does not allocate.
    mutating func reset() {
        let kind = self.kind
        var fields = self.fields
        self.fields = []
        fields.removeAll(keepingCapacity: true)
        self = HTTPHead(kind: kind)
        self.fields = fields
    }

    /// The same head with every offset moved by `delta`.
    func shifted(by delta: Int) -> HTTPHead {
        var copy = self
        @inline(__always) func move(_ r: Range<Int>) -> Range<Int> { (r.lowerBound + delta)..<(r.upperBound + delta) }
        copy.methodRange = move(methodRange)
        copy.targetRange = move(targetRange)
        copy.reasonRange = move(reasonRange)
        copy.startLineRange = move(startLineRange)
        copy.hostRange = hostRange.map(move)
        copy.length = length + delta
        copy.fields = fields.map { $0.shifted(by: delta) }
        return copy
    }
}
