import Foundation

/// What /proc says about a running process (Linux): resident memory and open descriptors,
/// for the resource-exhaustion tests and the soak.
enum ProcessProbe {
    /// VmRSS of `pid` in KiB, or 0 when it cannot be read.
    static func residentKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// How many descriptors `pid` has open.
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// Raises this (test) process's open-file limit to at least `wanted` where allowed — the
    /// hard limit too when running as root — and returns the soft limit now in force. Child
    /// processes started afterwards (proxyd) inherit it.
    @discardableResult
    static func raiseOpenFileLimit(to wanted: UInt64) -> UInt64 {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if limit.rlim_max < wanted {
            var raised = limit
            raised.rlim_max = rlim_t(wanted)
            raised.rlim_cur = rlim_t(wanted)
            if setrlimit(resource, &raised) == 0 { return wanted }
        }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { return UInt64(limit.rlim_max) }
        }
        return UInt64(limit.rlim_cur)
    }
}

/// Many raw client connections to one address, each left as the test wants (a partial request
/// head: a slow client; or a complete request: a client waiting for its answer). Held as
/// plain descriptors so 10,000 of them cost the test process almost nothing; all closed by
/// ``closeAll()`` or deinit.
final class RawConnections: @unchecked Sendable {
    // @unchecked: used by one test's task only.
    private(set) var descriptors: [Int32] = []
    let host: String
    let port: Int

    init(address: String) {
        let parts = address.split(separator: ":")
        host = String(parts.first ?? "127.0.0.1")
        port = Int(parts.last ?? "") ?? 0
    }

    /// Opens one blocking connection and sends `text`; returns its index.
    @discardableResult
    func open(sending text: String) throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .ECONNREFUSED)
        }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        descriptors.append(descriptor)
        return descriptors.count - 1
    }

    /// Bytes connection `index` has received so far, without waiting.
    func available(_ index: Int) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(descriptors[index], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Closes connections `range` (their descriptors stay in the list, as -1).
    func close(_ range: Range<Int>) {
        for index in range where descriptors[index] >= 0 {
            Glibc.close(descriptors[index])
            descriptors[index] = -1
        }
    }

    func closeAll() { close(0..<descriptors.count) }

    deinit { closeAll() }
}
