/// Appends a DNS message to a byte array, compressing names (RFC 1035 §4.1.4).
///
/// Compression: every label sequence written at an offset a pointer can reach (below 0x4000)
/// is remembered with a hash of its lowercased suffix. A later name looks up its suffixes,
/// longest first, and replaces the first one that was written before by a pointer. Matching
/// ignores ASCII case, as name comparison does (RFC 4343 §3), so a suffix may be emitted with
/// the case of its first occurrence.
struct WireWriter {
    /// The message so far.
    private(set) var bytes: [UInt8]
    /// Known suffixes: `hash << 16 | offset`, one entry per label start written.
    private var suffixes: [UInt64] = []

    /// A point to roll back to when a record turns out not to fit.
    struct Mark {
        fileprivate let count: Int
        fileprivate let suffixCount: Int
    }

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
        suffixes.reserveCapacity(32)
    }

    var count: Int { bytes.count }

    var mark: Mark { Mark(count: bytes.count, suffixCount: suffixes.count) }

    /// Forgets everything written after `mark`, including suffixes it made available.
    mutating func rollback(to mark: Mark) {
        bytes.removeLast(bytes.count - mark.count)
        suffixes.removeLast(suffixes.count - mark.suffixCount)
    }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(contentsOf values: some Collection<UInt8>) { bytes.append(contentsOf: values) }

    /// Overwrites two bytes written earlier (a count or an RDLENGTH known only afterwards).
    mutating func patch(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    /// Writes `name`, ending in a pointer to an earlier copy of its longest known suffix when
    /// `compress` is true. With `compress` false (RFC 2782 forbids compressing SRV targets, and
    /// RFC 3597 §4 names in other new types) the name is written whole, but later names may
    /// still point into it.
    mutating func write(_ name: DomainName, compress: Bool) {
        name.withUncompressedBytes { wire in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { starts in
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 129) { hashes in
                    write(wire, labelStarts: starts, suffixHashes: hashes, compress: compress)
                }
            }
        }
    }

    private mutating func write(
        _ wire: UnsafeBufferPointer<UInt8>,
        labelStarts: UnsafeMutableBufferPointer<Int>,
        suffixHashes: UnsafeMutableBufferPointer<UInt32>,
        compress: Bool
    ) {
        var labels = 0
        var position = 0
        while position < wire.count, wire[position] != 0, labels < 127 {
            labelStarts[labels] = position
            labels += 1
            position += Int(wire[position]) + 1
        }
        // Suffix hashes, from the root label leftwards (FNV-1a over lowercased octets).
        suffixHashes[labels] = 2_166_136_261
        var label = labels - 1
        while label >= 0 {
            var hash = suffixHashes[label + 1]
            let start = labelStarts[label]
            for index in start...(start + Int(wire[start])) {
                hash = (hash ^ UInt32(DomainName.asciiLowercased(wire[index]))) &* 16_777_619
            }
            suffixHashes[label] = hash
            label -= 1
        }

        var matchLabel = labels
        var matchOffset = -1
        if compress {
            search: for candidate in 0..<labels {
                let hash = UInt64(suffixHashes[candidate])
                for entry in suffixes where entry >> 16 == hash {
                    let offset = Int(entry & 0xFFFF)
                    if suffixEquals(wire, from: labelStarts[candidate], writtenAt: offset) {
                        matchLabel = candidate
                        matchOffset = offset
                        break search
                    }
                }
            }
        }

        for label in 0..<matchLabel {
            let offset = bytes.count
            if offset < 0x4000 { suffixes.append(UInt64(suffixHashes[label]) << 16 | UInt64(offset)) }
            let start = labelStarts[label]
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: wire[start...(start + Int(wire[start]))]))
        }
        if matchOffset >= 0 {
            write(UInt16(0xC000 | matchOffset))
        } else {
            bytes.append(0)
        }
    }

    /// Whether the uncompressed suffix `wire[from...]` equals the name written at `offset`
    /// (which may itself end in pointers), ignoring ASCII case.
    private func suffixEquals(_ wire: UnsafeBufferPointer<UInt8>, from: Int, writtenAt offset: Int) -> Bool {
        var mine = from
        var theirs = offset
        var hops = 0
        while true {
            guard theirs < bytes.count, mine < wire.count else { return false }
            if bytes[theirs] & 0xC0 == 0xC0 {
                guard theirs + 1 < bytes.count, hops < 127 else { return false }
                hops += 1
                theirs = Int(bytes[theirs] & 0x3F) << 8 | Int(bytes[theirs + 1])
                continue
            }
            let length = Int(wire[mine])
            guard Int(bytes[theirs]) == length else { return false }
            if length == 0 { return true }
            guard theirs + length < bytes.count, mine + length < wire.count else { return false }
            for index in 1...length
            where DomainName.asciiLowercased(wire[mine + index]) != DomainName.asciiLowercased(bytes[theirs + index]) {
                return false
            }
            mine += length + 1
            theirs += length + 1
        }
    }
}
