import Foundation
import NIOCore

extension ProxyRuntime {
    /// Binds `stats socket` (HAProxy's runtime API) when configured; returns its path. Called
    /// by `run` before privileges are dropped, so the file gets the owner and mode asked for.
    /// A reload does not move or re-create the socket (restart for that).
    @discardableResult
    func bindStatsSocket() async throws -> String? {
        guard let socket = configuration.statsSocket, statsSocketChannel.withLockedValue({ $0 == nil }) else { return nil }
        let threads = loops.count
        let startedAt = inspector.startedAt
        let stopping = state
        let executor = RuntimeAPIExecutor(inspector: inspector) {
            var limit = rlimit()
            let openFiles: Int? = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : nil
            return RuntimeAPIProcessFacts(
                version: ProxydCommand.configuration.version, pid: getpid(), threads: threads,
                startedAt: startedAt, now: Date().timeIntervalSince1970, openFileLimit: openFiles,
                node: ProcessInfo.processInfo.hostName,
                stopping: stopping.withLockedValue { $0.phase == .stopped })
        }
        let channel = try await RuntimeAPIServer.bind(socket, executor: executor, group: group, logger: logger)
        statsSocketChannel.withLockedValue { $0 = channel }
        return socket.path
    }

    /// Closes the runtime API socket and removes its file (at shutdown).
    func closeStatsSocket() async {
        guard let channel = statsSocketChannel.withLockedValue({ channel in
            defer { channel = nil }
            return channel
        }) else { return }
        try? await channel.close()
        if let path = configuration.statsSocket?.path { RuntimeAPIServer.remove(path) }
    }
}
