/// `show stat`: HAProxy 2.6's CSV, one row per frontend, server and backend, in HAProxy's
/// column order so that exporters and scripts that index columns by name or by position read
/// it unchanged.
///
/// The columns are HAProxy 2.6's as its `show stat` prints them (the 102 fields of
/// management guide §9.1, `-`, then the statistics modules' columns); the header line is
/// compared byte for byte with a real HAProxy 2.6 in `RuntimeAPIEndToEndTests`. A field
/// proxyd has no value for is empty — as HAProxy leaves fields that do not apply — rather
/// than a made-up zero.
enum HAProxyStatCSV {
    static let columns: [String] = [
       "pxname", "svname", "qcur", "qmax", "scur", "smax", "slim", "stot", "bin", "bout", "dreq", "dresp", "ereq",
        "econ", "eresp", "wretr", "wredis", "status", "weight", "act", "bck", "chkfail", "chkdown", "lastchg",
        "downtime", "qlimit", "pid", "iid", "sid", "throttle", "lbtot", "tracked", "type", "rate", "rate_lim",
        "rate_max", "check_status", "check_code", "check_duration", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx",
        "hrsp_5xx", "hrsp_other", "hanafail", "req_rate", "req_rate_max", "req_tot", "cli_abrt", "srv_abrt",
        "comp_in", "comp_out", "comp_byp", "comp_rsp", "lastsess", "last_chk", "last_agt", "qtime", "ctime", "rtime",
        "ttime", "agent_status", "agent_code", "agent_duration", "check_desc", "agent_desc", "check_rise",
        "check_fall", "check_health", "agent_rise", "agent_fall", "agent_health", "addr", "cookie", "mode", "algo",
        "conn_rate", "conn_rate_max", "conn_tot", "intercepted", "dcon", "dses", "wrew", "connect", "reuse",
        "cache_lookups", "cache_hits", "srv_icur", "src_ilim", "qtime_max", "ctime_max", "rtime_max", "ttime_max",
        "eint", "idle_conn_cur", "safe_conn_cur", "used_conn_cur", "need_conn_est", "uweight", "agg_server_status",
        "agg_server_check_status", "agg_check_status", "-", "ssl_sess", "ssl_reused_sess", "ssl_failed_handshake",
        "h2_headers_rcvd", "h2_data_rcvd", "h2_settings_rcvd", "h2_rst_stream_rcvd", "h2_goaway_rcvd",
        "h2_detected_conn_protocol_errors", "h2_detected_strm_protocol_errors", "h2_rst_stream_resp",
        "h2_goaway_resp", "h2_open_connections", "h2_backend_open_streams", "h2_total_connections",
        "h2_backend_total_streams", "h1_open_connections", "h1_open_streams", "h1_total_connections",
        "h1_total_streams", "h1_bytes_in", "h1_bytes_out", "h1_spliced_bytes_in", "h1_spliced_bytes_out"
    ]

    /// The header line, `# pxname,svname,…,` as HAProxy writes it (trailing comma included).
    static var header: String { "# " + columns.joined(separator: ",") + ",\n" }

    /// The whole answer: header, rows, as HAProxy ends each line (a trailing comma).
    static func render(_ snapshot: RuntimeAPISnapshot, filter: RuntimeAPICommand.StatFilter = .init()) -> String {
        var text = header
        for row in rows(snapshot, filter: filter) {
            text += columns.map { row[$0] ?? "" }.joined(separator: ",") + ",\n"
        }
        return text
    }

    /// Every row as field → value, frontends first, then each backend's servers and its
    /// BACKEND row (HAProxy's order).
    static func rows(_ snapshot: RuntimeAPISnapshot, filter: RuntimeAPICommand.StatFilter = .init()) -> [[String: String]] {
        var rows: [[String: String]] = []
        let configuration = snapshot.configuration
        for (index, listener) in configuration.listeners.enumerated() where filter.types & 1 != 0 {
            let iid = snapshot.proxyID(ofListener: index)
            guard filter.proxyID == nil || filter.proxyID == iid else { continue }
            var row: [String: String] = [
                "pxname": listener.name, "svname": "FRONTEND",
                "slim": String(listener.maxConnections ?? configuration.limits.maxConnections),
                "status": "OPEN", "pid": "1", "iid": String(iid), "sid": "0", "type": "0", "mode": "http",
            ]
            // The counters, from the same ProxyStatus the stats page draws.
            if let counters = snapshot.status.listeners.first(where: { $0.name == listener.name })?.counters {
                row["scur"] = String(counters.sessionsCurrent)
                row["smax"] = String(counters.sessionsMax)
                row["stot"] = String(counters.sessions)
                row["bin"] = String(counters.bytesIn)
                row["bout"] = String(counters.bytesOut)
                row["dreq"] = String(counters.denied)
                row["ereq"] = String(counters.requestErrors)
                row["req_tot"] = String(counters.requests)
            }
            rows.append(row)
        }
        for (index, backend) in snapshot.status.backends.enumerated() {
            let iid = snapshot.proxyID(ofBackend: index)
            guard filter.proxyID == nil || filter.proxyID == iid else { continue }
            let checked = configuration.backend(named: backend.name)?.healthCheck
            var upWeight = 0
            var active = 0
            var backup = 0
            var inFlight = 0
            for endpoint in backend.endpoints {
                let status = serverStatus(endpoint, checked: checked != nil)
                let weight = effectiveWeight(endpoint)
                inFlight += endpoint.inFlight
                if status == "UP" || status == "no check" {
                    upWeight += weight
                    if endpoint.priority == 0 { active += 1 } else { backup += 1 }
                }
                guard filter.types & 4 != 0, filter.serverID == nil || filter.serverID == endpoint.slot else { continue }
                if filter.onlyUp && !(status == "UP" || status == "no check") { continue }
                if filter.noMaintenance && status.hasPrefix("MAINT") { continue }
                var row: [String: String] = [
                    "pxname": backend.name, "svname": endpoint.name ?? endpoint.id,
                    "scur": String(endpoint.inFlight), "stot": String(endpoint.requests), "lbtot": String(endpoint.requests),
                    "status": status, "weight": String(weight), "uweight": String(endpoint.weightOverride ?? endpoint.weight),
                    "act": endpoint.priority == 0 ? "1" : "0", "bck": endpoint.priority == 0 ? "0" : "1",
                    "pid": "1", "iid": String(iid), "sid": endpoint.slot.map(String.init) ?? "", "type": "2",
                    "addr": endpoint.id, "mode": "http",
                ]
                if let check = checked {
                    row["check_rise"] = String(check.rise)
                    row["check_fall"] = String(check.fall)
                }
                // The traffic counters, from the same ProxyStatus the stats page draws.
                let counters = endpoint.counters
                row["smax"] = String(endpoint.maxInFlight)
                row["bin"] = String(counters.bytesIn)
                row["bout"] = String(counters.bytesOut)
                row["econ"] = String(counters.connectionErrors)
                row["eresp"] = String(counters.responseErrors)
                row["wretr"] = String(counters.retries)
                row["wredis"] = String(counters.redispatches)
                row["hrsp_5xx"] = String(counters.serverErrorResponses)
                row["downtime"] = String(Int(endpoint.downtimeSeconds))
                if let changed = endpoint.lastStateChange {
                    row["lastchg"] = String(max(0, Int(snapshot.process.now - changed)))
                }
                if let milliseconds = endpoint.checkDurationMilliseconds {
                    row["check_duration"] = String(Int(milliseconds.rounded()))
                }
                if let check = HAProxyCheckStatus(lastCheck: endpoint.lastCheck) {
                    row["check_status"] = check.name
                    row["check_code"] = check.code.map(String.init) ?? ""
                    row["check_desc"] = check.description
                }
                rows.append(row)
            }
            guard filter.types & 2 != 0, filter.serverID == nil || filter.serverID == 0 else { continue }
            var row: [String: String] = [
                "pxname": backend.name, "svname": "BACKEND", "scur": String(inFlight),
                "status": active + backup > 0 ? "UP" : "DOWN", "weight": String(upWeight), "uweight": String(upWeight),
                "act": String(active), "bck": String(backup),
                "pid": "1", "iid": String(iid), "sid": "0", "type": "1", "mode": "http",
                "algo": algorithm(configuration.backend(named: backend.name)?.balance),
            ]
            if let lastChange = backend.lastMembershipUpdate {
                row["lastchg"] = String(max(0, Int(snapshot.process.now - lastChange)))
            }
            if let counterRow = snapshot.counterRow(of: backend.name) {
                let statuses = snapshot.counters.requests[counterRow]
                var classes = [0, 0, 0, 0, 0, 0]  // other, 1xx … 5xx
                for (slot, count) in statuses.enumerated() {
                    let status = slot + LoopMetrics.statusRange.lowerBound
                    classes[slot == 0 ? 0 : status / 100] += count
                }
                let total = classes.reduce(0, +)
                row["stot"] = String(total)
                row["lbtot"] = String(total)
                row["req_tot"] = String(total)
                row["bout"] = String(snapshot.counters.responseBytes[counterRow])
                row["wretr"] = String(snapshot.counters.retries[counterRow])
                row["bin"] = String(backend.totals.bytesIn)
                row["econ"] = String(backend.totals.connectionErrors)
                row["eresp"] = String(backend.totals.responseErrors)
                row["wredis"] = String(backend.totals.redispatches)
                row["smax"] = String(backend.maxInFlight)
                for digit in 1...5 { row["hrsp_\(digit)xx"] = String(classes[digit]) }
                row["hrsp_other"] = String(classes[0])
            }
            rows.append(row)
        }
        return rows
    }

    /// HAProxy's status word for a server: `UP` (`no check` when nothing checks it), `DOWN`,
    /// `DRAIN`, `MAINT`, or `MAINT (resolution)` for an endpoint DNS no longer lists.
    static func serverStatus(_ endpoint: ProxyStatus.Endpoint, checked: Bool) -> String {
        switch endpoint.state {
        case "up": checked ? "UP" : "no check"
        case "drained": "DRAIN"
        case "maint": "MAINT"
        case "draining": "MAINT (resolution)"
        default: "DOWN"
        }
    }

    /// The weight the balancer uses: 0 out of rotation (as HAProxy's effective weight).
    static func effectiveWeight(_ endpoint: ProxyStatus.Endpoint) -> Int {
        switch endpoint.state {
        case "drained", "maint", "draining": 0
        default: endpoint.weightOverride ?? endpoint.weight
        }
    }

    /// The `balance` algorithm as HAProxy names it.
    static func algorithm(_ balance: BalanceConfiguration?) -> String {
        guard let balance else { return "" }
        switch balance.strategy {
        case .roundRobin: return "roundrobin"
        case .random, .powerOfTwoChoices: return "random"
        case .leastConnections: return "leastconn"
        case .sourceHash: return "source"
        case .ringHash, .maglev, .boundedLoadHash:
            switch balance.hashKey {
            case .clientAddress: return "source"
            case .uri: return "uri"
            case .header(let name): return "hdr(\(name))"
            }
        }
    }
}
