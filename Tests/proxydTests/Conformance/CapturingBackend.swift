import Foundation
import NIOConcurrencyHelpers

/// The backend behind proxyd in the smuggling harness: a raw TCP server on 127.0.0.1 that
/// records every byte proxyd forwards and reads it with ``StrictHTTPReader`` (not HTTPCore),
/// answering each request it can read with `200` and `Content-Length: 0`.
///
/// Each request is attributed to the harness case that caused it by the `X-Harness-Case`
/// field, which proxyd's listener rule sets to `%[src]` (every case connects from its own
/// 127.x.y.z address). A request without that field, or bytes that are not a strict
/// request, can only have come from a client's bytes passing through unparsed: smuggling.
final class CapturingBackend: @unchecked Sendable {
    // @unchecked: the descriptor is set once in init; mutable state is in `state`.

    /// What one backend connection carried.
    struct Capture {
        /// The requests read, each with the case address it was tagged with (nil: untagged).
        var requests: [(tag: String?, sequence: Int, request: StrictHTTPReader.Request)] = []
        /// Why the bytes after the last request are not a request (nil: none left, or only
        /// a request body cut short when proxyd closed the connection).
        var problem: String?
        /// A request whose body proxyd stopped sending (the client went away or timed out).
        var truncatedTag: String?
        var bytes: [UInt8] = []
    }

    private let listener: Int32
    let port: Int
    private let state = NIOLockedValueBox(State())
    private struct State {
        var captures: [Capture] = []
        var open = 0
        /// Order of arrival across connections: a case's requests reach the backend one
        /// exchange after another, so this orders them even across connections.
        var sequence = 0
        var stopped = false
    }

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 1024) == 0 else {
            Glibc.close(listener)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let acceptor = Thread { [self] in acceptLoop() }
        acceptor.stackSize = 1 << 20
        acceptor.start()
    }

    /// Every connection's capture so far (connections still open included as they stand).
    var captures: [Capture] { state.withLockedValue { $0.captures } }

    /// Waits until no backend connection is open (proxyd has closed them all), up to `timeout`.
    func waitUntilIdle(timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && state.withLockedValue({ $0.open }) > 0 { usleep(20_000) }
    }

    func stop() {
        let first = state.withLockedValue { s -> Bool in
            defer { s.stopped = true }
            return !s.stopped
        }
        if first { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    deinit {
        stop()
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while !state.withLockedValue({ $0.stopped }) {
            var readable = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 100) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            state.withLockedValue { $0.open += 1 }
            let worker = Thread { [self] in serve(connection) }
            worker.stackSize = 1 << 20
            worker.start()
        }
    }

    private static let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Harness-Backend: 1\r\n\r\n".utf8)

    /// Reads until proxyd closes (or 20 s pass), answering each strict request as it completes.
    private func serve(_ connection: Int32) {
        var capture = Capture()
        var offset = 0
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = ContinuousClock.now + .seconds(20)
        reading: while ContinuousClock.now < deadline {
            var readable = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 100) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            capture.bytes += buffer[0..<n]
            while offset < capture.bytes.count && capture.problem == nil {
                switch StrictHTTPReader.readRequest(capture.bytes, from: offset, mode: .normalised) {
                case .complete(let request, let consumed):
                    let tag = request.values("x-harness-case").first.map { String(decoding: $0, as: UTF8.self) }
                    let sequence = state.withLockedValue { s -> Int in
                        s.sequence += 1
                        return s.sequence
                    }
                    capture.requests.append((tag, sequence, request))
                    offset += consumed
                    _ = Self.response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                case .incomplete:
                    continue reading
                case .invalid(let reason):
                    capture.problem = reason
                }
            }
        }
        if capture.problem == nil && offset < capture.bytes.count {
            switch StrictHTTPReader.readRequest(capture.bytes, from: offset, mode: .normalised) {
            case .incomplete(headComplete: true):
                // proxyd stopped mid-body because its client did; nothing reached a handler.
                let head = capture.bytes[offset...]
                capture.truncatedTag = Self.tag(in: Array(head))
            case .incomplete(headComplete: false): capture.problem = "an incomplete request head"
            case .invalid(let reason): capture.problem = reason
            case .complete: break
            }
        }
        Glibc.close(connection)
        state.withLockedValue {
            $0.captures.append(capture)
            $0.open -= 1
        }
    }

    /// The `X-Harness-Case` value in bytes that are not a whole request.
    static func tag(in head: [UInt8]) -> String? {
        // Bytes, not String lines: Swift treats CR LF as one Character.
        let name = Array("\nx-harness-case:".utf8)
        guard head.count > name.count else { return nil }
        for start in 0...(head.count - name.count)
        where zip(name, head[start..<start + name.count]).allSatisfy({ $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 + 32 : $1) }) {
            var end = start + name.count
            while end < head.count && head[end] != 0x0D && head[end] != 0x0A { end += 1 }
            return String(decoding: head[(start + name.count)..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
