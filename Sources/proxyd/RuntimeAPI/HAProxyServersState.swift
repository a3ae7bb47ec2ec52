/// `show servers state [BACKEND]`: HAProxy's versioned server-state format (version `1`,
/// the format `server-state-file` loads), one line per server.
///
/// Numbers as HAProxy 2.6 writes them: `srv_op_state` 0 stopped / 2 running;
/// `srv_admin_state` bits 0x01 forced maintenance (`state maint`), 0x08 forced drain
/// (`state drain`), 0x20 maintenance by resolution (the endpoint left DNS); check status as
/// `HCHK_STATUS_*`; `srvrecord` the SRV name the backend follows.
enum HAProxyServersState {
    static let version = "1"
    static let header = "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port"

    /// The answer, or nil when `backend` names no backend (HAProxy: "Can't find backend.").
    static func render(_ snapshot: RuntimeAPISnapshot, backend: String?) -> String? {
        if let backend, !snapshot.status.backends.contains(where: { $0.name == backend }) { return nil }
        var text = version + "\n" + header + "\n"
        for (index, group) in snapshot.status.backends.enumerated() where backend == nil || group.name == backend {
            let configuration = snapshot.configuration.backend(named: group.name)
            let srvRecord: String = if case .srv(let srv)? = configuration?.membership { srv.name } else { "-" }
            let sinceChange = group.lastMembershipUpdate.map { String(max(0, Int(snapshot.process.now - $0))) } ?? "0"
            for endpoint in group.endpoints {
                let adminState = switch endpoint.state {
                case "maint": 0x01
                case "drained": 0x08
                case "draining": 0x20
                default: 0
                }
                let running = endpoint.state == "up" || endpoint.state == "drained" || endpoint.state == "maint"
                let check = HAProxyCheckStatus(lastCheck: endpoint.lastCheck)
                let checkResult = check.map { $0.passed ? 3 : 2 } ?? 0
                let checkState = configuration?.healthCheck == nil ? 0 : 6  // configured | enabled
                let fields: [String] = [
                    String(snapshot.proxyID(ofBackend: index)), group.name, endpoint.slot.map(String.init) ?? "0",
                    endpoint.name ?? endpoint.id, endpoint.address, running ? "2" : "0", String(adminState),
                    String(endpoint.weightOverride ?? endpoint.weight), String(endpoint.weight), sinceChange,
                    String(check?.number ?? 1), String(checkResult), "0", String(checkState), "0", "0", "0",
                    srvRecord == "-" ? "-" : endpoint.target ?? "-", String(endpoint.port), srvRecord, "0", "0", "-", "-", "0",
                ]
                text += fields.joined(separator: " ") + "\n"
            }
        }
        return text
    }
}
