extension SyslogConfiguration {
    /// The header identity of this process.
    func identity(pid: Int32, systemHostname: () -> String) -> SyslogFramer.Identity {
        let host: String? = switch hostname {
        case nil: nil
        case .system: systemHostname()
        case .named(let name): name
        }
        return SyslogFramer.Identity(tag: tag, pid: pid, hostname: host)
    }
}
