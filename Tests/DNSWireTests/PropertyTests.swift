import Foundation
import Testing

@testable import DNSWire

/// Properties checked on many generated inputs, reproducibly (fixed seeds, SplitMix64).
@Suite("Properties")
struct PropertyTests {
    /// Builds random but valid messages: names share suffixes and vary in case (so compression
    /// and case-insensitive matching are exercised), every record data type appears, and EDNS
    /// comes with typed and untyped options.
    struct MessageGenerator {
        var random: SeededGenerator

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
        mutating func bool() -> Bool { Bool.random(using: &random) }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }

        mutating func label() -> [UInt8] {
            switch int(0...9) {
            case 0: return bytes(int(1...63))  // any octets, incl. dots and zeros
            case 1: return Array("_hello-world-service".utf8)
            case 2...4: return Array(["Internal", "internal", "INTERNAL", "svc", "example", "Task-1", "task-1"][int(0...6)].utf8)
            default: return (0..<int(1...12)).map { _ in UInt8(ascii: "a") + UInt8(int(0...25)) }
            }
        }

        mutating func name() -> DomainName {
            let count = int(0...5)
            var wire: [UInt8] = []
            for _ in 0..<count {
                let label = label()
                if wire.count + label.count + 2 > 255 { break }
                wire += [UInt8(label.count)] + label
            }
            wire.append(0)
            // Through the public text path: description must parse back to the same name.
            let decoded = try? DomainName.decode(wire, at: 0).name
            return (try? DomainName(decoded?.description ?? ".")) ?? .root
        }

        mutating func data() -> RecordData {
            switch int(0...9) {
            case 0: return .a(IPv4Address(rawValue: UInt32.random(in: 0...UInt32.max, using: &random)))
            case 1: return .aaaa(IPv6Address(high: random.next(), low: random.next()))
            case 2: return .cname(name())
            case 3: return .ns(name())
            case 4: return .ptr(name())
            case 5:
                return .soa(SOA(primaryNameServer: name(), responsibleMailbox: name(), serial: UInt32(int(0...Int(UInt32.max))),
                                refresh: 1, retry: 2, expire: 3, minimum: UInt32(int(0...86400))))
            case 6: return .mx(MX(preference: UInt16(int(0...65535)), exchange: name()))
            case 7: return .txt((0..<int(0...3)).map { _ in bytes(int(0...255)) })
            case 8: return .srv(SRV(priority: UInt16(int(0...65535)), weight: UInt16(int(0...65535)), port: UInt16(int(0...65535)), target: name()))
            default:
                // Types DNSWire keeps raw; 41 (OPT) is not a record type.
                let type = [43, 46, 257, 99, 64, 65, 1000, 65535][int(0...7)]
                return .unknown(type: RecordType(rawValue: UInt16(type)), data: bytes(int(0...40)))
            }
        }

        /// Class CHAOS only for data whose layout does not depend on the class: A, AAAA and SRV
        /// outside IN are decoded raw, as `RecordData` documents.
        mutating func record() -> ResourceRecord {
            let data = data()
            let classIndependent = ![RecordType.a, .aaaa, .srv].contains(data.type)
            let recordClass: RecordClass = classIndependent && int(0...5) == 0 ? .chaos : .in
            return ResourceRecord(name: name(), recordClass: recordClass, ttl: UInt32(int(0...Int(UInt32.max))), data: data)
        }

        mutating func edns() -> EDNS? {
            guard bool() else { return nil }
            var options: [EDNSOption] = []
            for _ in 0..<int(0...3) {
                switch int(0...2) {
                case 0:
                    if let subnet = try? ClientSubnet(address: .ipv4(IPv4Address(10, UInt8(int(0...255)), 0, 0)), sourcePrefixLength: 16) {
                        options.append(.clientSubnet(subnet))
                    }
                case 1:
                    if let cookie = try? DNSCookie(client: bytes(8), server: bool() ? [] : bytes(int(8...32))) { options.append(.cookie(cookie)) }
                default: options.append(.other(code: UInt16([3, 12, 15, 65001][int(0...3)]), data: bytes(int(0...20))))
                }
            }
            return EDNS(udpPayloadSize: UInt16(int(0...65535)), version: UInt8(int(0...1)), dnssecOK: bool(), options: options)
        }

        mutating func message() -> Message {
            let edns = edns()
            let header = Header(
                id: UInt16(int(0...65535)), isResponse: bool(), opcode: Opcode(rawValue: UInt8(int(0...15))),
                authoritativeAnswer: bool(), truncated: bool(), recursionDesired: bool(), recursionAvailable: bool(),
                reservedBit: bool(), authenticData: bool(), checkingDisabled: bool(),
                rcode: ResponseCode(rawValue: UInt16(edns == nil ? int(0...15) : int(0...4095))))
            return Message(
                header: header,
                questions: (0..<int(0...2)).map { _ in Question(name: name(), type: RecordType(rawValue: UInt16(int(0...300))), recordClass: .in) },
                answers: (0..<int(0...6)).map { _ in record() },
                authorities: (0..<int(0...3)).map { _ in record() },
                additionals: (0..<int(0...6)).map { _ in record() },
                edns: edns)
        }
    }

    @Test("random valid messages round-trip: decode(encode(m)) == m, and re-encoding is stable")
    func randomMessagesRoundTrip() throws {
        var generator = MessageGenerator(random: SeededGenerator(seed: 0xD15_C0DE))
        for iteration in 0..<2000 {
            let message = generator.message()
            let bytes = try message.encode()
            let decoded = try Message(decoding: bytes)
            #expect(decoded == message, "iteration \(iteration)")
            #expect(try decoded.encode() == bytes, "iteration \(iteration)")
        }
    }

    @Test("random messages encoded with a size limit fit it, decode, and keep a prefix of the records")
    func randomTruncation() throws {
        var generator = MessageGenerator(random: SeededGenerator(seed: 0x7C_B17))
        for iteration in 0..<1000 {
            let message = generator.message()
            let full = try message.encode()
            let maxSize = generator.int(12...max(12, full.count))
            let bytes: [UInt8]
            do {
                bytes = try message.encode(maxSize: maxSize)
            } catch .doesNotFit(let length, _) {
                #expect(length > maxSize, "iteration \(iteration)")
                continue
            }
            #expect(bytes.count <= maxSize, "iteration \(iteration)")
            let decoded = try Message(decoding: bytes)
            let kept = decoded.answers + decoded.authorities + decoded.additionals
            let all = message.answers + message.authorities + message.additionals
            #expect(kept == Array(all.prefix(kept.count)), "iteration \(iteration)")
            #expect(decoded.edns == message.edns, "iteration \(iteration)")
            let droppedRequired = decoded.answers.count < message.answers.count || decoded.authorities.count < message.authorities.count
            #expect(decoded.header.truncated == (message.header.truncated || droppedRequired), "iteration \(iteration)")
        }
    }

    @Test("random byte splices of valid messages and corpus packets never crash, and what decodes round-trips")
    func randomSplicesNeverCrash() throws {
        var generator = MessageGenerator(random: SeededGenerator(seed: 0x5_911CE))
        var pool: [[UInt8]] = try (0..<50).map { _ in try generator.message().encode() }
        pool += try ["bind-srv-hello-world-udp.bin", "bind-srv-big-tcp.bin", "bind-nxdomain.bin"].map(Fixtures.bytes)
        var decodedCount = 0
        for iteration in 0..<20000 {
            var bytes = pool[generator.int(0...pool.count - 1)]
            for _ in 0..<generator.int(1...4) {
                switch generator.int(0...4) {
                case 0 where !bytes.isEmpty:  // overwrite one octet
                    bytes[generator.int(0...bytes.count - 1)] = UInt8(generator.int(0...255))
                case 1 where !bytes.isEmpty:  // delete a range
                    let start = generator.int(0...bytes.count - 1)
                    bytes.removeSubrange(start..<min(bytes.count, start + generator.int(1...16)))
                case 2:  // insert random octets, often pointer-like
                    let start = generator.int(0...bytes.count)
                    bytes.insert(contentsOf: generator.bool() ? generator.bytes(generator.int(1...8)) : [0xC0, UInt8(generator.int(0...255))], at: start)
                case 3:  // splice in a piece of another message
                    let other = pool[generator.int(0...pool.count - 1)]
                    let from = generator.int(0...other.count - 1)
                    let piece = other[from..<min(other.count, from + generator.int(1...40))]
                    let at = generator.int(0...bytes.count)
                    bytes.replaceSubrange(at..<min(bytes.count, at + piece.count), with: piece)
                default:  // change a header count
                    if bytes.count >= 12 { bytes[5 + 2 * generator.int(0...3)] = UInt8(generator.int(0...255)) }
                }
            }
            guard let message = try? Message(decoding: bytes) else { continue }
            decodedCount += 1
            #expect(try Message(decoding: try message.encode()) == message, "iteration \(iteration)")
        }
        // The mutations must leave some inputs valid, or the round-trip branch tests nothing.
        #expect(decodedCount > 500)
    }
}
