import Testing

@testable import DNSWire

@Suite("DomainName")
struct DomainNameTests {
    @Test("presentation text becomes length-prefixed labels ending with the root")
    func parsesText() throws {
        #expect(try DomainName("_hello-world-service.internal").wireBytes
            == [20] + Array("_hello-world-service".utf8) + [8] + Array("internal".utf8) + [0])
    }

    @Test("the trailing dot is optional")
    func trailingDotOptional() throws {
        #expect(try DomainName("example.com.") == DomainName("example.com"))
        #expect(try DomainName("example.com.").wireBytes == DomainName("example.com").wireBytes)
    }

    @Test("a lone dot is the root")
    func rootName() throws {
        let root = try DomainName(".")
        #expect(root.isRoot && root == .root && root.wireBytes == [0] && root.labelCount == 0)
        #expect(root.description == ".")
    }

    @Test("\\. is a dot inside a label and \\DDD a decimal octet")
    func escapes() throws {
        #expect(try DomainName(#"a\.b.c"#).wireBytes == [3, 97, 46, 98, 1, 99, 0])
        #expect(try DomainName(#"\000\255x.c"#).wireBytes == [3, 0, 255, 120, 1, 99, 0])
        #expect(try DomainName(#"a\\b"#).wireBytes == [3, 97, 92, 98, 0])
    }

    @Test("description escapes what would read back differently")
    func descriptionEscapes() throws {
        let name = try DomainName(#"a\.b\032\$\"x.\255.c"#)
        #expect(name.description == #"a\.b\032\$\"x.\255.c."#)
        #expect(try DomainName(name.description) == name)
    }

    @Test("a 63-octet label is allowed, 64 is rejected with its offset")
    func labelLimit() throws {
        let sixtyThree = String(repeating: "a", count: 63)
        #expect(try DomainName("x.\(sixtyThree)").labelCount == 2)
        #expect(throws: DNSWireError.labelTooLong(offset: 2, length: 64)) {
            try DomainName("x.\(sixtyThree)a.com")
        }
    }

    @Test("255 octets in wire form are allowed, 256 rejected")
    func nameLimit() throws {
        let label = String(repeating: "x", count: 63)
        // 3 labels of 63 (64 octets each with the length) + 61 (62) + root = 255.
        let ok = "\(label).\(label).\(label).\(String(repeating: "x", count: 61))"
        #expect(try DomainName(ok).encodedLength == 255)
        #expect(throws: DNSWireError.nameTooLong(offset: 0, length: 256)) { try DomainName(ok + "x") }
    }

    @Test("empty labels are rejected where they occur")
    func emptyLabels() {
        #expect(throws: DNSWireError.emptyLabel(offset: 2)) { try DomainName("a..b") }
        #expect(throws: DNSWireError.emptyLabel(offset: 0)) { try DomainName(".a") }
        #expect(throws: DNSWireError.emptyLabel(offset: 0)) { try DomainName("") }
    }

    @Test("incomplete or out-of-range escapes are rejected")
    func badEscapes() {
        #expect(throws: DNSWireError.badEscape(offset: 1)) { try DomainName(#"a\"#) }
        #expect(throws: DNSWireError.badEscape(offset: 1)) { try DomainName(#"a\25"#) }
        #expect(throws: DNSWireError.badEscape(offset: 0)) { try DomainName(#"\256"#) }
        #expect(throws: DNSWireError.badEscape(offset: 0)) { try DomainName(#"\2x5"#) }
    }

    @Test("equality and hashing ignore ASCII case only")
    func caseInsensitive() throws {
        #expect(try DomainName("WWW.Example.COM") == DomainName("www.example.com"))
        #expect(try DomainName("WWW.Example.COM").hashValue == DomainName("www.example.com").hashValue)
        #expect(try DomainName(#"\200"#) != DomainName(#"\232"#))  // no folding beyond ASCII
        #expect(try DomainName("a.b") != DomainName("ab"))
    }

    @Test("a compressed name equals its uncompressed spelling and hashes the same")
    func compressedEqualsUncompressed() throws {
        // "foo." at 0, then "a" + pointer to 0 at 5.
        let (decoded, end) = try DomainName.decode([3, 102, 111, 111, 0, 1, 97, 0xC0, 0], at: 5)
        #expect(end == 9)
        #expect(decoded == name("A.FOO"))
        #expect(decoded.hashValue == name("a.foo").hashValue)
        #expect(decoded.description == "a.foo.")
        #expect(decoded.labelCount == 2 && decoded.encodedLength == 7)
    }

    @Test("isSubdomain(of:) compares whole labels")
    func subdomain() throws {
        #expect(name("a.b.example").isSubdomain(of: name("EXAMPLE")))
        #expect(name("example").isSubdomain(of: name("example")))
        #expect(name("example").isSubdomain(of: .root))
        #expect(!name("notexample").isSubdomain(of: name("example")))
        #expect(!name("example").isSubdomain(of: name("a.example")))
    }

    @Test("a chain of pointers longer than any valid name needs is rejected")
    func pointerHopLimit() throws {
        // Root at 0, then 200 pointers each to the one before it: strictly backwards, no loop.
        var bytes: [UInt8] = [0]
        for index in 0..<200 {
            let target = index == 0 ? 0 : 1 + 2 * (index - 1)
            bytes += [0xC0 | UInt8(target >> 8), UInt8(target & 0xFF)]
        }
        #expect(throws: DNSWireError.tooManyPointers(offset: bytes.count - 2)) {
            try DomainName.decode(bytes, at: bytes.count - 2)
        }
        #expect(try DomainName.decode(bytes, at: 1 + 2 * 100).name == .root)
    }
}
