import NIOCore
import Synchronization

/// The single outcome of one probe: the first of the handler's verdict, the timeout and a
/// connect failure wins; later ones are ignored (the timeout can fire while a verdict is on
/// its way, and a connect failure can follow a timeout that closed the channel).
final class ProbeCompletion: Sendable {
    /// The check's timeout, for classifying `connectTimeout` errors.
    let timeout: Duration
    private let promise: EventLoopPromise<ProbeResult>
    private let done = Atomic<Bool>(false)

    init(promise: EventLoopPromise<ProbeResult>, timeout: Duration) {
        self.promise = promise
        self.timeout = timeout
    }

    var futureResult: EventLoopFuture<ProbeResult> { promise.futureResult }

    /// Completes the probe with `result` unless it is already complete.
    func complete(_ result: ProbeResult) {
        if done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            promise.succeed(result)
        }
    }
}
