import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes access log records on a thread of its own, so that no event loop ever waits for a
/// disk (or a blocked stdout pipe).
///
/// Event loops call ``append(_:)``: it takes one mutex, queues the record (formatting happens
/// on the writer thread too) and wakes the writer only when the queue was empty. The queue is
/// bounded (``capacity`` records): when the disk cannot keep up, new records are dropped and
/// counted (``droppedRecords``, exported as `proxyd_access_log_dropped_total`) instead of
/// growing memory or slowing the proxy — losing log lines beats losing traffic.
///
/// With syslog targets (``SyslogConfiguration``), the same thread frames each line for every
/// target whose level takes it (``SyslogFramer``) and sends it without blocking
/// (``SyslogSender``); a message a target could not take counts as a write error.
///
/// ``reopen()`` closes and reopens the file before the next write: what logrotate needs after
/// it has moved the file (call it on SIGHUP). ``close()`` writes what is queued and stops.
final class AccessLogWriter: @unchecked Sendable {
    // @unchecked: every mutable field below is read and written with `condition` locked.
    private let condition = NSCondition()
    private var queue: [AccessLogRecord] = []
    private var dropped = 0
    private var written = 0
    private var writeErrors = 0
    private var reopenRequested = false
    private var stopping = false
    private var stopped = false

    let format: AccessLogFormat
    /// The file, or nil for standard output.
    let path: String?
    let capacity: Int
    /// Whether the handlers log connections that closed before sending a request (HAProxy
    /// without `option dontlognull`).
    let logNullConnections: Bool
    private let logger: Logger
    /// The syslog targets and header of this process, used by the writer thread only.
    private let syslog: (sender: SyslogSender, framer: SyslogFramer)?
    /// Owned by the writer thread once it runs.
    private var descriptor: Int32 = -1

    /// Opens the file (created with mode 0640 when missing, appended to otherwise) and starts
    /// the writer thread. Throws when the file cannot be opened, so `proxyd run` fails early.
    /// With `syslog`, lines go to its targets instead (`path` is then unused): the sockets are
    /// made here, so a target that cannot be used also fails early.
    init(format: AccessLogFormat, path: String?, syslog: SyslogConfiguration? = nil, logNullConnections: Bool = false,
         capacity: Int = 65_536, logger: Logger) throws {
        self.format = format
        self.capacity = capacity
        self.logger = logger
        self.logNullConnections = logNullConnections
        if let syslog {
            self.path = nil
            self.syslog = (try SyslogSender(targets: syslog.targets),
                           SyslogFramer(identity: syslog.identity(pid: getpid(), systemHostname: Self.systemHostname)))
        } else {
            self.path = path
            self.syslog = nil
            if let path {
                descriptor = try Self.open(path)
            } else {
                descriptor = STDOUT_FILENO
            }
        }
        let thread = Thread { [self] in self.runWriter() }
        thread.name = "proxyd-access-log"
        thread.start()
    }

    /// Queues one record; never blocks on I/O.
    func append(_ record: AccessLogRecord) {
        condition.lock()
        if stopping || queue.count >= capacity {
            dropped += 1
        } else {
            queue.append(record)
            if queue.count == 1 { condition.signal() }
        }
        condition.unlock()
    }

    /// Reopens the file before the next write (after logrotate moved it). No-op for stdout.
    func reopen() {
        condition.lock()
        reopenRequested = true
        condition.signal()
        condition.unlock()
    }

    /// Records dropped because the queue was full.
    var droppedRecords: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }

    /// Records written so far, and writes that failed.
    var counters: (written: Int, dropped: Int, writeErrors: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (written, dropped, writeErrors)
    }

    /// Writes what is queued, closes the file and stops the thread; waits at most `timeout`.
    func close(timeout: Duration = .seconds(5)) {
        condition.lock()
        stopping = true
        condition.signal()
        let (seconds, attoseconds) = timeout.components
        let deadline = Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
        while !stopped && condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func runWriter() {
        var bytes: [UInt8] = []
        var unreachableTargets = Set<Int>()
        while true {
            condition.lock()
            while queue.isEmpty && !reopenRequested && !stopping { condition.wait() }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let reopen = reopenRequested
            reopenRequested = false
            let stop = stopping
            condition.unlock()

            if reopen { reopenFile() }
            if !batch.isEmpty, let syslog {
                var failures = 0
                for record in batch {
                    let message = format.format(record)
                    let instant = SyslogFramer.LocalInstant.now()
                    // An access line is an `info` message, as HAProxy sends it.
                    for (index, target) in syslog.sender.targets.enumerated() {
                        guard let level = target.sendingLevel(for: .info) else { continue }
                        bytes.removeAll(keepingCapacity: true)
                        syslog.framer.frame(message, level: level, for: target, at: instant, into: &bytes)
                        if !syslog.sender.send(bytes, to: index) {
                            failures += 1
                            // Said once per target (as HAProxy alerts once), then only counted.
                            if unreachableTargets.insert(index).inserted {
                                logger.warning("cannot send access log lines to syslog target; they are counted as write errors until it takes them",
                                               metadata: ["target": "\(target.address)", "error": "\(String(cString: strerror(errno)))"])
                            }
                        }
                    }
                }
                condition.lock()
                written += batch.count
                writeErrors += failures
                condition.unlock()
            } else if !batch.isEmpty {
                bytes.removeAll(keepingCapacity: true)
                for record in batch {
                    bytes.append(contentsOf: format.format(record).utf8)
                    bytes.append(UInt8(ascii: "\n"))
                }
                let ok = writeAll(bytes)
                condition.lock()
                if ok { written += batch.count } else { writeErrors += 1 }
                condition.unlock()
            }
            if stop {
                condition.lock()
                let drained = queue.isEmpty
                condition.unlock()
                if drained { break }
            }
        }
        if path != nil && descriptor >= 0 { _ = Glibc.close(descriptor) }
        syslog?.sender.close()
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func reopenFile() {
        guard let path else { return }
        do {
            let fresh = try Self.open(path)
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            descriptor = fresh
            logger.info("access log reopened", metadata: ["path": "\(path)"])
        } catch {
            logger.error("access log reopen failed; still writing to the old file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let result = write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    logger.error("access log write failed", metadata: ["error": "\(String(cString: strerror(errno)))"])
                    return false
                }
                offset += result
            }
            return true
        }
    }

    struct OpenError: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "cannot open access log \(path): \(reason)" }
    }

    /// The machine's host name for `log-send-hostname` without a name.
    private static func systemHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        return fd
    }
}
