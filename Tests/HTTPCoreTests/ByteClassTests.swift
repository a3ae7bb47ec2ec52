@testable import HTTPCore
import Testing

/// The character-class shortcuts agree with their byte-wise definitions.
@Suite("Byte classes")
struct ByteClassTests {
    @Test("the token bit masks are the RFC 9110 §5.6.2 tchar set")
    func tokenMasks() {
        let computed = ByteClass.computedTokenMasks
        #expect(computed.low == ByteClass.tcharLowLiteral)
        #expect(computed.high == ByteClass.tcharHighLiteral)
        #expect(ByteClass.isTokenChar(UInt8(ascii: "!")) && !ByteClass.isTokenChar(UInt8(ascii: "(")) && !ByteClass.isTokenChar(0x80))
    }

    @Test("the 8-byte field-value skip stops at a word holding any byte the byte-wise test refuses, or HTAB")
    func fieldValueWords() {
        for byte in UInt8.min...UInt8.max {
            for position in 0..<8 {
                var word = [UInt8](repeating: UInt8(ascii: "a"), count: 16)
                word[position] = byte
                let stop = word.withUnsafeBytes { ByteClass.skipFieldValueWords($0.baseAddress!, from: 0, end: 16) }
                let allowedInFastPath = ByteClass.isFieldValueChar(byte) && byte != 0x09
                #expect(stop == (allowedInFastPath ? 16 : 0), "byte \(byte) at \(position)")
            }
        }
    }

    @Test("the 8-byte target skip stops at a word holding any byte outside 0x21...0x7E")
    func targetWords() {
        for byte in UInt8.min...UInt8.max {
            for position in 0..<8 {
                var word = [UInt8](repeating: UInt8(ascii: "/"), count: 8)
                word[position] = byte
                let stop = word.withUnsafeBytes { ByteClass.skipTargetWords($0.baseAddress!, from: 0, end: 8) }
                #expect(stop == (ByteClass.isTargetChar(byte) ? 8 : 0), "byte \(byte) at \(position)")
            }
        }
    }
}
