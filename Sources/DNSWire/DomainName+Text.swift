extension DomainName: CustomStringConvertible {
    /// Parses a name in presentation form (RFC 1035 §5.1): labels separated by dots, the
    /// trailing dot optional (every name is taken as fully qualified), `.` alone for the root.
    /// `\X` stands for the character X (so `\.` is a dot inside a label) and `\DDD` for the octet
    /// with decimal value DDD. Other characters are copied as their UTF-8 octets.
    ///
    /// Throws `.emptyLabel` (`a..b`, `.a`, the empty string), `.badEscape`, `.labelTooLong`
    /// (over 63 octets) or `.nameTooLong` (over 255 octets in wire form); offsets count UTF-8
    /// octets of `text`.
    public init(_ text: String) throws(DNSWireError) {
        let wire = try DomainName.parse(Array(text.utf8))
        self.init(storage: wire, offset: 0, wireLength: wire.count, isCompressed: false)
    }

    /// Presentation-form text to uncompressed wire form.
    static func parse(_ text: [UInt8]) throws(DNSWireError) -> [UInt8] {
        if text.count == 1, text[0] == UInt8(ascii: ".") { return [0] }
        guard !text.isEmpty else { throw .emptyLabel(offset: 0) }
        var wire: [UInt8] = [0]
        wire.reserveCapacity(min(text.count + 2, 256))
        var lengthIndex = 0
        var labelTextStart = 0
        var index = 0

        func finishLabel(at textOffset: Int) throws(DNSWireError) {
            let length = wire.count - lengthIndex - 1
            guard length > 0 else { throw .emptyLabel(offset: textOffset) }
            guard length <= 63 else { throw .labelTooLong(offset: labelTextStart, length: length) }
            wire[lengthIndex] = UInt8(length)
        }

        while index < text.count {
            let character = text[index]
            switch character {
            case UInt8(ascii: "."):
                try finishLabel(at: index)
                index += 1
                labelTextStart = index
                if index < text.count {
                    lengthIndex = wire.count
                    wire.append(0)
                } else {
                    lengthIndex = -1  // trailing dot: no label open
                }
                continue
            case UInt8(ascii: "\\"):
                guard index + 1 < text.count else { throw .badEscape(offset: index) }
                let next = text[index + 1]
                if next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9") {
                    guard index + 3 < text.count else { throw .badEscape(offset: index) }
                    var value = 0
                    for digit in text[(index + 1)...(index + 3)] {
                        guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else {
                            throw .badEscape(offset: index)
                        }
                        value = value * 10 + Int(digit - UInt8(ascii: "0"))
                    }
                    guard value <= 255 else { throw .badEscape(offset: index) }
                    wire.append(UInt8(value))
                    index += 4
                } else {
                    wire.append(next)
                    index += 2
                }
            default:
                wire.append(character)
                index += 1
            }
            // Stop early on absurd input instead of buffering all of it.
            if wire.count > 256 { throw .nameTooLong(offset: 0, length: wire.count + 1) }
        }
        if lengthIndex >= 0 { try finishLabel(at: index) }
        wire.append(0)
        guard wire.count <= 255 else { throw .nameTooLong(offset: 0, length: wire.count) }
        return wire
    }

    /// The name in presentation form, fully qualified (ending with `.`; the root is `.`).
    /// Octets that would be read back differently are escaped as in RFC 1035 §5.1: `.`, `\`,
    /// `"`, `(`, `)`, `;`, `@`, `$` as `\X`; octets outside printable ASCII as `\DDD`.
    /// `DomainName(name.description) == name` for every name.
    public var description: String {
        if isRoot { return "." }
        return withUncompressedBytes { wire in
            var text: [UInt8] = []
            text.reserveCapacity(wire.count + 8)
            var position = 0
            while position < wire.count, wire[position] != 0 {
                let length = Int(wire[position])
                for octet in wire[(position + 1)..<(position + 1 + length)] {
                    switch octet {
                    case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
                        UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                        text.append(UInt8(ascii: "\\"))
                        text.append(octet)
                    case 0x21...0x7E:
                        text.append(octet)
                    default:
                        text.append(UInt8(ascii: "\\"))
                        text.append(UInt8(ascii: "0") + octet / 100)
                        text.append(UInt8(ascii: "0") + (octet / 10) % 10)
                        text.append(UInt8(ascii: "0") + octet % 10)
                    }
                }
                text.append(UInt8(ascii: "."))
                position += length + 1
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
