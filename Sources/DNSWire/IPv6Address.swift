/// An IPv6 address, the data of an AAAA record (RFC 3596 §2.2).
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The first 64 bits, first octet in the most significant byte.
    public var high: UInt64
    /// The last 64 bits.
    public var low: UInt64

    /// Builds an address from its two 64-bit halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Builds an address from exactly 16 octets in network order; `nil` for any other count.
    public init?(octets: some Collection<UInt8>) {
        guard octets.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, octet) in octets.enumerated() {
            if index < 8 { high = high << 8 | UInt64(octet) } else { low = low << 8 | UInt64(octet) }
        }
        self.init(high: high, low: low)
    }

    /// Parses RFC 4291 §2.2 text: eight groups of 1–4 hex digits, one `::` for a run of zero
    /// groups, optionally a dotted-quad IPv4 tail. `nil` for anything else (no zone index).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        var index = 0
        if bytes.starts(with: [58, 58]) {
            sawDoubleColon = true
            index = 2
        }
        while index < bytes.count {
            // An IPv4 tail: the rest parses as a dotted quad.
            if let dot = bytes[index...].firstIndex(of: 46), !bytes[index..<dot].contains(58) {
                guard let v4 = IPv4Address(String(decoding: bytes[index...], as: UTF8.self)) else { return nil }
                let groups = [UInt16(truncatingIfNeeded: v4.rawValue >> 16), UInt16(truncatingIfNeeded: v4.rawValue)]
                if sawDoubleColon { tail += groups } else { head += groups }
                index = bytes.count
                break
            }
            var value: UInt16 = 0
            var digits = 0
            while index < bytes.count, let digit = IPv6Address.hexValue(bytes[index]) {
                guard digits < 4 else { return nil }
                value = value << 4 | UInt16(digit)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if sawDoubleColon { tail.append(value) } else { head.append(value) }
            if index == bytes.count { break }
            guard bytes[index] == 58 else { return nil }
            index += 1
            if index < bytes.count, bytes[index] == 58 {
                guard !sawDoubleColon else { return nil }
                sawDoubleColon = true
                index += 1
                if index == bytes.count { break }
            } else if index == bytes.count {
                return nil
            }
        }
        let missing = 8 - head.count - tail.count
        guard sawDoubleColon ? missing >= 1 : missing == 0 else { return nil }
        let groups = head + [UInt16](repeating: 0, count: missing) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (position, group) in groups.enumerated() {
            if position < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        self.init(high: high, low: low)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case 48...57: character - 48
        case 65...70: character - 55
        case 97...102: character - 87
        default: nil
        }
    }

    /// The 16 octets in network order.
    public var octets: [UInt8] {
        (0..<16).map { index in
            index < 8
                ? UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
                : UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(index - 8)))
        }
    }

    /// The eight 16-bit groups.
    private var groups: [UInt16] {
        (0..<8).map { index in
            index < 4
                ? UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(index)))
                : UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(index - 4)))
        }
    }

    /// Canonical text (RFC 5952 §4): lowercase hex, no leading zeros, the longest run of two or
    /// more zero groups (the first, on a tie) written as `::`.
    public var description: String {
        let groups = self.groups
        var bestStart = -1
        var bestLength = 1
        var runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength {
                    bestStart = runStart
                    bestLength = index - runStart
                }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}

extension IPv6Address {
    static func decode(from reader: inout WireReader) throws(DNSWireError) -> IPv6Address {
        let high = UInt64(try reader.readUInt32(.recordData)) << 32 | UInt64(try reader.readUInt32(.recordData))
        let low = UInt64(try reader.readUInt32(.recordData)) << 32 | UInt64(try reader.readUInt32(.recordData))
        return IPv6Address(high: high, low: low)
    }

    func encode(into writer: inout WireWriter) {
        writer.write(UInt32(truncatingIfNeeded: high >> 32))
        writer.write(UInt32(truncatingIfNeeded: high))
        writer.write(UInt32(truncatingIfNeeded: low >> 32))
        writer.write(UInt32(truncatingIfNeeded: low))
    }
}
