#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Switches the process from root to an unprivileged user after the listeners are bound
/// (`user:` / `group:`, HAProxy's `global user` / `group`), as HAProxy does: a proxy that
/// parses hostile input should not keep root once it holds its sockets.
///
/// Order matters and every step is checked: supplementary groups first (the user's own, from
/// `initgroups`, so membership of e.g. `ssl-cert` still opens private keys), then the group,
/// then the user (after `setuid` nothing else could be changed). glibc applies each call to
/// every thread of the process. Afterwards root cannot be regained, which is verified.
///
/// Consequence for reloads: a port below 1024 that was not bound at start cannot be opened
/// any more (the reload is refused with that reason). The systemd unit in `deploy/` avoids it
/// by starting proxyd as its user with `CAP_NET_BIND_SERVICE` instead.
enum PrivilegeDrop {
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The user and group the process ended up with.
    struct Identity: Sendable, Equatable {
        var user: String
        var uid: uid_t
        var gid: gid_t
    }

    /// The user's IDs and supplementary groups, looked up in the user database. Resolved
    /// before a `chroot` (as HAProxy does): inside the jail there is no `/etc/passwd`.
    struct Target: Sendable, Equatable {
        var identity: Identity
        var group: String?
        var supplementaryGroups: [gid_t]
    }

    /// Switches to `user` (and `group`, or the user's primary group). Without root this only
    /// succeeds when the process already runs as that user and group.
    static func drop(toUser user: String, group: String?) throws(Failure) -> Identity {
        try drop(to: try resolve(user: user, group: group))
    }

    /// Looks `user` and `group` up now (see ``Target``).
    static func resolve(user: String, group: String?) throws(Failure) -> Target {
        guard let password = getpwnam(user) else {
            throw Failure(description: "user: '\(user)' does not exist on this machine (create it, e.g. 'useradd --system --no-create-home \(user)')")
        }
        let uid = password.pointee.pw_uid
        var gid = password.pointee.pw_gid
        if let group {
            guard let entry = getgrnam(group) else {
                throw Failure(description: "group: '\(group)' does not exist on this machine")
            }
            gid = entry.pointee.gr_gid
        }
        // initgroups(3) would read /etc/group at drop time; getgrouplist reads it now.
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(user, gid, &groups, &count) >= 0 else { throw failure("getgrouplist(\(user))") }
        }
        return Target(identity: Identity(user: user, uid: uid, gid: gid), group: group, supplementaryGroups: Array(groups.prefix(Int(count))))
    }

    /// Switches to a resolved ``Target``; reads no user database (works inside a chroot).
    static func drop(to target: Target) throws(Failure) -> Identity {
        let identity = target.identity
        let (user, uid, gid, group) = (identity.user, identity.uid, identity.gid, target.group)
        guard geteuid() == 0 else {
            if geteuid() == uid && getuid() == uid && (group == nil || getegid() == gid) { return identity }
            throw Failure(description: "user: '\(user)' needs proxyd to start as root to switch to it, but it runs as uid \(geteuid()); "
                + "remove 'user:' (under systemd the unit's User= sets the user) or start proxyd as root")
        }
        guard setgroups(target.supplementaryGroups.count, target.supplementaryGroups) == 0 else { throw failure("setgroups(\(user))") }
        guard setgid(gid) == 0 else { throw failure("setgid(\(gid))") }
        guard setuid(uid) == 0 else { throw failure("setuid(\(uid))") }
        guard getuid() == uid, geteuid() == uid, getgid() == gid, getegid() == gid else {
            throw Failure(description: "user: switching to '\(user)' left uid \(geteuid()) gid \(getegid())")
        }
        if uid != 0 && setuid(0) == 0 {
            throw Failure(description: "user: after switching to '\(user)' the process could become root again")
        }
        return identity
    }

    private static func failure(_ call: String) -> Failure {
        Failure(description: "user: \(call) failed: \(String(cString: strerror(errno)))")
    }
}
