import ServiceLifecycle
import UnixSignals

/// Reloads the configuration file on SIGHUP (`systemctl reload proxyd` sends it through the
/// unit's `ExecReload=`) and reopens the access log file, as daemons do for logrotate's
/// `postrotate`. A refused reload is logged by the runtime and the running configuration keeps
/// serving; the next SIGHUP tries again.
///
/// The signal sequence is created by the caller before the listeners are bound, so a SIGHUP
/// that arrives early is queued rather than killing the process (SIGHUP's default action).
struct ReloadOnSignal: Service {
    let runtime: ProxyRuntime
    let signals: UnixSignalsSequence

    func run() async {
        for await _ in signals.cancelOnGracefulShutdown() {
            runtime.accessLog?.reopen()
            _ = try? await runtime.reload()
        }
    }
}
