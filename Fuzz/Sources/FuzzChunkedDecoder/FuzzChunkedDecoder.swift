// libFuzzer target: ChunkedBodyDecoder over arbitrary bytes.
// Property: no crash, no hang, and the same decoded data, trailers, completion and error (kind
// and offset) whether the input is decoded whole, split at a point chosen by the input, or fed
// one byte at a time.
import HTTPCore

private let limits = HTTPParserLimits(maxHeaderSectionSize: 512, maxFieldCount: 8, maxBodySize: 1 << 16, maxChunkExtensionLength: 32)

private func digest(_ chunks: [ArraySlice<UInt8>]) -> [UInt8] {
    var decoder = ChunkedBodyDecoder(limits: limits)
    var out: [UInt8] = []
    var pending: [UInt8] = []
    feeding: for chunk in chunks {
        pending += chunk
        while true {
            let event: ChunkedBodyDecoder.Event
            do {
                event = try pending.withUnsafeBytes { try decoder.decode($0) }
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
            case .data(let range):
                out += pending[range]
                pending.removeFirst(range.upperBound)
            case .end(let consumed, let trailers):
                out += Array("T".utf8) + pending[trailers] + Array("Z".utf8)
                pending.removeFirst(consumed)
                break feeding
            }
        }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let whole = digest([bytes[...]])
    let split = bytes.isEmpty ? 0 : Int(bytes[bytes.count - 1]) % (bytes.count + 1)
    let halves = digest([bytes[..<split], bytes[split...]])
    let single = digest(bytes.map { [$0][...] })
    if whole != halves || whole != single {
        fatalError("split feeding disagrees with whole input")
    }
    return 0
}
