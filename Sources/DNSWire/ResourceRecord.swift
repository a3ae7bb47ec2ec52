/// A resource record of the answer, authority or additional section (RFC 1035 §3.2.1, §4.1.3).
///
/// The TYPE is not stored separately: it is `data.type`, so a record cannot claim one type and
/// carry data of another.
public struct ResourceRecord: Hashable, Sendable {
    /// The owner name.
    public var name: DomainName
    /// The CLASS, almost always `.in`. The layouts of `.a`, `.aaaa` and `.srv` data are those
    /// of class IN (RFC 1035 §3.4); in other classes the decoder returns such records as
    /// `.unknown`, so build them that way too if they must compare equal after a round trip.
    public var recordClass: RecordClass
    /// Seconds the record may be cached. RFC 2181 §8 says values with the top bit set mean 0;
    /// the value is kept as received, callers caching records apply that rule.
    public var ttl: UInt32
    /// The typed record data.
    public var data: RecordData

    /// Creates a record.
    public init(name: DomainName, recordClass: RecordClass = .in, ttl: UInt32, data: RecordData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    /// The record TYPE, from its data.
    public var type: RecordType { data.type }
}
