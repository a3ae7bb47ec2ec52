/// The data of an SRV record: where a service runs (RFC 2782).
///
/// This is what ECS service discovery (Cloud Map) publishes for each task: the task's port,
/// and a target name whose A/AAAA records usually come along in the additional section.
public struct SRV: Hashable, Sendable {
    /// Clients use the targets with the lowest priority first.
    public var priority: UInt16
    /// Relative weight among targets of the same priority; 0 means "rarely, when no other".
    public var weight: UInt16
    /// The TCP or UDP port of the service on `target`.
    public var port: UInt16
    /// The host providing the service. The root `.` means the service is decidedly not
    /// available at this domain (RFC 2782).
    public var target: DomainName

    /// Creates SRV record data.
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: DomainName) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

extension SRV {
    /// Accepts a compressed target even though RFC 2782 forbids sending one: servers do it and
    /// dnspython accepts it too.
    static func decode(from reader: inout WireReader) throws(DNSWireError) -> SRV {
        SRV(
            priority: try reader.readUInt16(.recordData),
            weight: try reader.readUInt16(.recordData),
            port: try reader.readUInt16(.recordData),
            target: try reader.readName()
        )
    }

    /// Writes the target uncompressed (RFC 2782: "name compression is not to be used for
    /// this field"); later owner names, such as the A records of the targets, can point to it.
    func encode(into writer: inout WireWriter) {
        writer.write(priority)
        writer.write(weight)
        writer.write(port)
        writer.write(target, compress: false)
    }
}
