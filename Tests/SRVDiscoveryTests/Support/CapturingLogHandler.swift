import Logging
import Synchronization

/// A log handler that keeps messages in memory, so tests can check that a dropped answer
/// was logged, without printing anything.
struct CapturingLogHandler: LogHandler {
    final class Store: Sendable {
        private let entries = Mutex<[(Logger.Level, String)]>([])
        func append(_ level: Logger.Level, _ message: String) { entries.withLock { $0.append((level, message)) } }
        func messages(atLeast level: Logger.Level) -> [String] {
            entries.withLock { $0.filter { $0.0 >= level }.map(\.1) }
        }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append(event.level, "\(event.message)")
    }

    /// A logger writing into a fresh store.
    static func logger(_ label: String = "test") -> (Logger, Store) {
        let store = Store()
        return (Logger(label: label) { _ in CapturingLogHandler(store: store) }, store)
    }
}

extension Logger {
    /// A logger that drops everything, so test output stays readable.
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}
