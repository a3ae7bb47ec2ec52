// libFuzzer entry point for the DNSWire decoder and encoder.
//
// Property checked on every input: decoding never crashes; when the input decodes, the message
// encodes, and decoding that encoding gives an equal message. The only encode failure allowed
// is `.encodedMessageTooLong`: the input may have compressed names into places our encoder does
// not point to (inside raw RDATA, or SRV targets it must write whole), so the re-encoding can
// be longer than the original.
import DNSWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let message = try? Message(decoding: bytes) else { return 0 }
    let encoded: [UInt8]
    do {
        encoded = try message.encode()
    } catch .encodedMessageTooLong {
        return 0
    } catch {
        fatalError("decoded message failed to encode: \(error)")
    }
    let again: Message
    do {
        again = try Message(decoding: encoded)
    } catch {
        fatalError("re-encoded message failed to decode: \(error)")
    }
    if again != message { fatalError("round trip changed the message") }
    // Exercise the name printer and hashing on every decoded name too.
    for record in message.answers + message.authorities + message.additionals {
        _ = record.name.description
        _ = record.name.hashValue
    }
    return 0
}
