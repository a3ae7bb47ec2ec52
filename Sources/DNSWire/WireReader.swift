/// A bounds-checked cursor over the bytes of one DNS message.
///
/// Every read checks `limit` first and throws `.truncated` instead of reading past it, so no
/// input can make the decoder touch memory outside the message. `limit` is the end of the
/// message, or the end of the record data while one record's RDATA is read. The reader lives
/// only inside `withUnsafeBufferPointer` on `storage`; `bytes` is that buffer.
struct WireReader {
    /// The message, kept so that decoded names can share it instead of copying their labels.
    let storage: [UInt8]
    /// `storage`'s contiguous bytes, valid while the reader exists.
    let bytes: UnsafeBufferPointer<UInt8>
    /// Offset of the next byte to read.
    var position: Int = 0
    /// Reads stop here (exclusive).
    var limit: Int

    /// Most compression pointers one name may follow. A valid name has at most 127 labels and
    /// needs at most one pointer per label; the rule that each pointer goes strictly before the
    /// labels containing it already rules out loops, this only bounds the work per name.
    static let maximumPointerHops = 127

    init(storage: [UInt8], bytes: UnsafeBufferPointer<UInt8>) {
        self.storage = storage
        self.bytes = bytes
        self.limit = bytes.count
    }

    /// Bytes left before `limit`.
    var remaining: Int { limit - position }

    mutating func readUInt8(_ element: DNSWireError.Element) throws(DNSWireError) -> UInt8 {
        guard position < limit else { throw .truncated(offset: position, element: element) }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readUInt16(_ element: DNSWireError.Element) throws(DNSWireError) -> UInt16 {
        guard limit - position >= 2 else { throw .truncated(offset: position, element: element) }
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    mutating func readUInt32(_ element: DNSWireError.Element) throws(DNSWireError) -> UInt32 {
        guard limit - position >= 4 else { throw .truncated(offset: position, element: element) }
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16
            | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
    }

    /// Copies `count` bytes out; checks the length before allocating anything.
    mutating func readBytes(_ count: Int, _ element: DNSWireError.Element) throws(DNSWireError) -> [UInt8] {
        guard count >= 0, limit - position >= count else { throw .truncated(offset: position, element: element) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4) without copying it: the result refers
    /// to `storage`.
    ///
    /// Rules: the labels read before the first pointer must end before `limit` (a name in RDATA
    /// stays inside RDATA); each pointer must point strictly before the first byte of the run of
    /// labels that contains it (so pointers only go backwards and can never loop, as dnspython
    /// requires); at most `maximumPointerHops` pointers; label types 0b01/0b10 are rejected; the
    /// whole name is at most 255 octets uncompressed.
    mutating func readName() throws(DNSWireError) -> DomainName {
        let start = position
        var cursor = position
        var runStart = position
        var end = limit
        var length = 1
        var hops = 0
        var resume = -1
        while true {
            guard cursor < end else { throw .truncated(offset: cursor, element: .name) }
            let octet = bytes[cursor]
            if octet == 0 {
                cursor += 1
                break
            }
            switch octet & 0xC0 {
            case 0x00:
                let labelLength = Int(octet)
                guard end - cursor > labelLength else { throw .truncated(offset: cursor, element: .name) }
                length += labelLength + 1
                guard length <= 255 else { throw .nameTooLong(offset: start, length: length) }
                cursor += labelLength + 1
            case 0xC0:
                guard end - cursor >= 2 else { throw .truncated(offset: cursor, element: .name) }
                let target = Int(octet & 0x3F) << 8 | Int(bytes[cursor + 1])
                guard target < runStart else { throw .badPointer(offset: cursor, target: target) }
                hops += 1
                guard hops <= WireReader.maximumPointerHops else { throw .tooManyPointers(offset: start) }
                if resume < 0 { resume = cursor + 2 }
                cursor = target
                runStart = target
                end = bytes.count
            default:
                throw .badLabelType(offset: cursor, byte: octet)
            }
        }
        position = resume < 0 ? cursor : resume
        return DomainName(storage: storage, offset: start, wireLength: length, isCompressed: hops > 0)
    }
}
