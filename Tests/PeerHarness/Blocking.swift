import Foundation

/// Runs `body`, which blocks (waits for a child process, reads its pipes to the end, waits on
/// a semaphore), on a thread of its own and suspends the calling task until it returns.
///
/// Swift concurrency has one cooperative thread per core — two on the CI machine. A test that
/// blocks one of them for the seconds an `openssl` or `proxyd check` run takes stalls every
/// other suite running in parallel: their timers fire late and their in-process servers stop
/// answering, which showed up as health probes that never ran. Tests therefore never block a
/// cooperative thread; they wait here.
public func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Swift.Result { try body() })
        }
        thread.start()
    }
}

/// ``runBlocking(_:)`` for work that cannot fail.
public func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            continuation.resume(returning: body())
        }
        thread.start()
    }
}
