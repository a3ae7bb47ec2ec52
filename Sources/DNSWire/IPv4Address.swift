/// An IPv4 address, the data of an A record (RFC 1035 §3.4.1).
///
/// A plain value so that DNSWire needs no networking library; convert with `description`
/// (dotted quad) or `octets`.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The address as a 32-bit number, first octet in the most significant byte.
    public var rawValue: UInt32

    /// Wraps a 32-bit address (`0x7F000001` is 127.0.0.1).
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Builds `a.b.c.d`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text (`10.0.1.17`): exactly four decimal parts 0–255, no leading
    /// zeros (which some parsers read as octal). `nil` for anything else.
    public init?(_ text: String) {
        var value: UInt32 = 0
        var parts = 0
        for part in text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard part.count >= 1, part.count <= 3, part.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            guard part.count == 1 || part.first != UInt8(ascii: "0") else { return nil }
            let number = part.reduce(0) { $0 * 10 + UInt32($1 - 48) }
            guard number <= 255 else { return nil }
            value = value << 8 | number
            parts += 1
        }
        guard parts == 4 else { return nil }
        rawValue = value
    }

    /// The four octets in network order.
    public var octets: [UInt8] {
        [UInt8(truncatingIfNeeded: rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16),
         UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue)]
    }

    /// Dotted-quad text.
    public var description: String {
        "\(rawValue >> 24).\(rawValue >> 16 & 0xFF).\(rawValue >> 8 & 0xFF).\(rawValue & 0xFF)"
    }
}

extension IPv4Address {
    static func decode(from reader: inout WireReader) throws(DNSWireError) -> IPv4Address {
        IPv4Address(rawValue: try reader.readUInt32(.recordData))
    }

    func encode(into writer: inout WireWriter) {
        writer.write(rawValue)
    }
}
