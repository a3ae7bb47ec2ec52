import Dispatch

/// The process entry point: runs ``ProxydCommand`` on the global executor while the main
/// thread waits on a semaphore.
///
/// Not Swift's `async` main, because on Linux that hands the main thread to `dispatch_main()`,
/// which parks it inside `pthread_exit` for the life of the process. glibc's `setuid` changes
/// the credentials of every thread except exiting ones, so after `user:` dropped root that
/// thread — the one `/proc/PID/status`, `ps` and the kernel's signal permission checks look
/// at — would still be root. A main thread blocked on a semaphore is an ordinary thread and is
/// switched with the others. (Nothing in proxyd runs on the main actor.)
@main
enum ProxydMain {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await ProxydCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}
