// libFuzzer target: responses (client side); the first byte picks GET, HEAD or CONNECT as the request method through HTTPMessageParser.
// Property: no crash, no hang, and the same events (heads, body bytes, trailers, error kind and
// offset) whether the input is parsed whole, split at a point chosen by the input, or fed in
// 7-byte pieces. Small limits make the limit paths reachable.
import HTTPCore

private let limits = HTTPParserLimits(
    maxStartLineLength: 256, maxHeaderSectionSize: 1024, maxFieldCount: 16, maxBodySize: 4096,
    maxChunkExtensionLength: 32)

/// Everything the parser reported, flattened into bytes so two runs compare with `==`.
private func digest(_ chunks: [ArraySlice<UInt8>], method: HTTPMethod) -> [UInt8] {
    var parser = HTTPMessageParser(kind: .response, limits: limits)
    parser.requestMethod = method
    var out: [UInt8] = []
    var tunnel: [UInt8] = []  // concatenated: split feeding delivers it in different pieces
    var pending: [UInt8] = []
    feeding: for chunk in chunks {
        pending += chunk
        while true {
            let event: HTTPMessageParser.Event
            do {
                event = try pending.withUnsafeBytes { try parser.parse($0) }
            } catch let error as HTTPParseError {
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
                out += Array("H\(head.version)\(head.status)\(head.framing)\(head.keepAlive)".utf8)
                out += pending[head.methodRange] + [0] + pending[head.targetRange] + [0]
                for field in head.fields { out += pending[field.nameRange] + [0x3A] + pending[field.valueRange] + [0] }
                pending.removeFirst(length)
            case .body(let range):
                out += pending[range]  // concatenated: split feeding may cut body data differently
                pending.removeFirst(range.upperBound)
            case .end(let consumed, let trailers):
                out += Array("T".utf8) + pending[trailers] + Array("Z".utf8)
                pending.removeFirst(consumed)
            case .tunnel(let range):
                tunnel += pending[range]
                pending.removeFirst(range.upperBound)
            case .paused:
                out += Array("P".utf8)
                break feeding
            }
        }
    }
    return out + Array("U".utf8) + tunnel
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let method: HTTPMethod = bytes.first.map { [.get, .head, .connect][Int($0) % 3] } ?? .get
    let whole = digest([bytes[...]], method: method)
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    let halves = digest([bytes[..<split], bytes[split...]], method: method)
    var pieces: [ArraySlice<UInt8>] = []
    var i = 0
    while i < bytes.count {
        pieces.append(bytes[i..<min(bytes.count, i + 7)])
        i += 7
    }
    let sevens = digest(pieces, method: method)
    if whole != halves || whole != sevens {
        fatalError("split feeding disagrees with whole input")
    }
    return 0
}
