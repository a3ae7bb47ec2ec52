// libFuzzer target: requests (server side) through HTTPMessageParser.
// Property: no crash, no hang, and the same events (heads, body bytes, trailers, error kind and
// offset) whether the input is parsed whole, split at a point chosen by the input, or fed in
// 7-byte pieces. Small limits make the limit paths reachable.
import HTTPCore

private let limits = HTTPParserLimits(
    maxStartLineLength: 256, maxHeaderSectionSize: 1024, maxFieldCount: 16, maxBodySize: 4096,
    maxChunkExtensionLength: 32)

/// Everything the parser reported, flattened into bytes so two runs compare with `==`.
///
/// A message's events are kept apart until it ends: when an error cuts it short, they are
/// dropped, because a request whose bad chunk framing came in the same bytes as its head is
/// refused before its head (nothing reaches a backend), while a split feeding reports the head
/// first. Both are one verdict: the error, and the messages completed before it.
private func digest(_ chunks: [ArraySlice<UInt8>]) -> [UInt8] {
    var parser = HTTPMessageParser(kind: .request, limits: limits)
    var out: [UInt8] = []
    var current: [UInt8] = []
    var tunnel: [UInt8] = []  // concatenated: split feeding delivers it in different pieces
    var pending: [UInt8] = []
    feeding: for chunk in chunks {
        pending += chunk
        while true {
            let event: HTTPMessageParser.Event
            do {
                event = try pending.withUnsafeBytes { try parser.parse($0) }
            } catch let error as HTTPParseError {
                current = []
                out += Array("E\(error.kind)@\(error.offset)".utf8)
                break feeding
            } catch {
                fatalError("untyped error")
            }
            switch event {
            case .needMore(let consumed):
                pending.removeFirst(consumed)
                continue feeding
            case .head(let length):
                let head = parser.head
                current += Array("H\(head.version)\(head.status)\(head.framing)\(head.keepAlive)".utf8)
                current += pending[head.methodRange] + [0] + pending[head.targetRange] + [0]
                for field in head.fields { current += pending[field.nameRange] + [0x3A] + pending[field.valueRange] + [0] }
                pending.removeFirst(length)
            case .body(let range):
                current += pending[range]  // concatenated: split feeding may cut body data differently
                pending.removeFirst(range.upperBound)
            case .end(let consumed, let trailers):
                out += current + Array("T".utf8) + pending[trailers] + Array("Z".utf8)
                current = []
                pending.removeFirst(consumed)
            case .tunnel(let range):
                tunnel += pending[range]
                pending.removeFirst(range.upperBound)
            case .paused:
                out += current + Array("P".utf8)
                current = []
                break feeding
            }
        }
    }
    return out + current + Array("U".utf8) + tunnel
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let whole = digest([bytes[...]])
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    let halves = digest([bytes[..<split], bytes[split...]])
    var pieces: [ArraySlice<UInt8>] = []
    var i = 0
    while i < bytes.count {
        pieces.append(bytes[i..<min(bytes.count, i + 7)])
        i += 7
    }
    let sevens = digest(pieces)
    if whole != halves || whole != sevens {
        fatalError("split feeding disagrees with whole input")
    }
    return 0
}
