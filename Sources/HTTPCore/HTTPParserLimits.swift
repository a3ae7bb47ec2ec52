/// Size limits the parser enforces, each mapped to the status the client gets.
///
/// The defaults follow what HAProxy and nginx accept from real browsers (long cookies fit),
/// while keeping the memory one slow connection can pin small.
public struct HTTPParserLimits: Hashable, Sendable {
    /// Longest request line or status line, CRLF excluded; longer → 414 (RFC 9112 §3).
    public var maxStartLineLength: Int
    /// Largest header section (start line, field lines, final CRLF, and leading empty lines);
    /// larger → 431 (RFC 6585 §5). Also bounds a chunked trailer section.
    public var maxHeaderSectionSize: Int
    /// Most field lines in one header (or trailer) section; more → 431.
    public var maxFieldCount: Int
    /// Largest body in bytes; larger → 413 (RFC 9110 §15.5.14). `nil` means unlimited.
    public var maxBodySize: Int?
    /// Longest chunk-extension text after a chunk size; longer → 400. Bounds the bytes a peer
    /// can make us scan without delivering data (the llhttp/Node "chunk extension DoS").
    public var maxChunkExtensionLength: Int

    /// Creates limits; every argument has the default documented on the property.
    public init(
        maxStartLineLength: Int = 8 * 1024,
        maxHeaderSectionSize: Int = 32 * 1024,
        maxFieldCount: Int = 128,
        maxBodySize: Int? = nil,
        maxChunkExtensionLength: Int = 1024
    ) {
        self.maxStartLineLength = maxStartLineLength
        self.maxHeaderSectionSize = maxHeaderSectionSize
        self.maxFieldCount = maxFieldCount
        self.maxBodySize = maxBodySize
        self.maxChunkExtensionLength = maxChunkExtensionLength
    }

    /// 8 KiB start line, 32 KiB header section, 128 fields, unlimited body, 1 KiB extensions.
    public static let `default` = HTTPParserLimits()
}
