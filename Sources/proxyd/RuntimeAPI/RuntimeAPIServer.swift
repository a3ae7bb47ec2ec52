#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix

/// Binds `stats socket`'s Unix stream socket and serves ``RuntimeAPIHandler`` on it.
///
/// Order of work, so the file is never reachable with looser rights than asked: a stale
/// socket file (a crash left it) is replaced — a path that exists and is not a socket is an
/// error, never removed —, the socket is bound, then `chown` and `chmod` set the owner and mode
/// asked for. This runs before privileges are dropped (see `RunCommand`), so a root-started
/// proxyd can hand the file to `user haproxy` / `group haproxy`. ``remove(_:)`` unlinks it at
/// exit.
enum RuntimeAPIServer {
    struct BindError: Error, CustomStringConvertible {
        var description: String
    }

    static func bind(_ configuration: StatsSocketConfiguration, executor: RuntimeAPIExecutor, group: any EventLoopGroup,
                     logger: Logger) async throws -> any Channel {
        let idle = TimeAmount.nanoseconds(Int64(clamping: configuration.idleTimeout.components.seconds) * 1_000_000_000
            + configuration.idleTimeout.components.attoseconds / 1_000_000_000)
        let limiter = ConnectionLimiter(limit: configuration.maxConnections)
        let level = configuration.level
        let owner = try resolveOwner(configuration)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(AcceptLimitHandler(limiters: [limiter]))
                    }
                }
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idle))
                        try channel.pipeline.syncOperations.addHandler(RuntimeAPIHandler(level: level, executor: executor))
                    }
                }
                .bind(unixDomainSocketPath: configuration.path, cleanupExistingSocketFile: true).get()
        } catch {
            throw BindError(description: "stats socket \(configuration.path): cannot bind: \(error)")
        }
        do {
            if owner.uid != nil || owner.gid != nil {
                guard chown(configuration.path, owner.uid ?? uid_t.max, owner.gid ?? gid_t.max) == 0 else {
                    throw BindError(description: "stats socket \(configuration.path): chown failed: \(String(cString: strerror(errno)))")
                }
            }
            if let mode = configuration.mode {
                guard chmod(configuration.path, mode_t(mode)) == 0 else {
                    throw BindError(description: "stats socket \(configuration.path): chmod \(StatsSocketConfiguration.formatMode(mode)) failed: \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            try? await channel.close()
            remove(configuration.path)
            throw error
        }
        logger.info("runtime API socket bound", metadata: [
            "path": "\(configuration.path)", "level": "\(configuration.level.rawValue)",
            "mode": "\(configuration.mode.map(StatsSocketConfiguration.formatMode) ?? "umask")",
        ])
        return channel
    }

    /// The socket file's owner and group as numbers (names looked up in the user database).
    static func resolveOwner(_ configuration: StatsSocketConfiguration) throws(BindError) -> (uid: uid_t?, gid: gid_t?) {
        var uid: uid_t?
        var gid: gid_t?
        if let owner = configuration.owner {
            if let number = UInt32(owner) {
                uid = uid_t(number)
            } else if let entry = getpwnam(owner) {
                uid = entry.pointee.pw_uid
            } else {
                throw BindError(description: "stats socket \(configuration.path): user '\(owner)' does not exist on this machine")
            }
        }
        if let group = configuration.group {
            if let number = UInt32(group) {
                gid = gid_t(number)
            } else if let entry = getgrnam(group) {
                gid = entry.pointee.gr_gid
            } else {
                throw BindError(description: "stats socket \(configuration.path): group '\(group)' does not exist on this machine")
            }
        }
        return (uid, gid)
    }

    /// Removes the socket file (at exit), if it is still a socket.
    static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return }
        unlink(path)
    }
}
