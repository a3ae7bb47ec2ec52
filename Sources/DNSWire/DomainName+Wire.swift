extension DomainName {
    /// Decodes one name at `offset` in `bytes`, following compression pointers into earlier
    /// bytes, with the same rules as the message decoder (see `Message.init(decoding:)`).
    ///
    /// Returns the name and the offset just past it in `bytes` (past the first pointer, if
    /// the name is compressed). For code that reads names out of RDATA of types this library
    /// keeps raw, and for tests.
    public static func decode(_ bytes: [UInt8], at offset: Int) throws(DNSWireError) -> (name: DomainName, end: Int) {
        guard bytes.count <= 65535 else { throw .messageTooLong(length: bytes.count) }
        guard offset >= 0, offset <= bytes.count else { throw .truncated(offset: offset, element: .name) }
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(DNSWireError) -> (name: DomainName, end: Int) in
                var reader = WireReader(storage: bytes, bytes: buffer)
                reader.position = offset
                let name = try reader.readName()
                return (name, reader.position)
            }
        }
        return try result.get()
    }
}
