import Foundation
import Testing

@testable import proxyd

/// `log`, `log global`, `no log`, `log-tag`, `log-send-hostname`, `option dontlognull` in
/// haproxy.cfg, `access_log.syslog` in YAML, and `proxyd convert` between them.
@Suite("logging configuration")
struct LogConfigurationTests {
    private func file(global: [String], defaults: [String] = ["log global", "option httplog"], front: [String] = []) -> String {
        (["global"] + global.map { "    " + $0 } + ["defaults"] + defaults.map { "    " + $0 }
         + ["frontend web", "    bind 127.0.0.1:8080"] + front.map { "    " + $0 }
         + ["    default_backend app", "backend app", "    server a1 127.0.0.1:9000"]).joined(separator: "\n") + "\n"
    }

    private func accessLog(_ text: String) throws -> AccessLogConfiguration? {
        try HAProxyTestFiles.load(text).configuration.accessLog
    }

    @Test("the seed's lines: /dev/log local0, /dev/log local1 notice, log global, httplog, dontlognull")
    func seedLines() throws {
        let log = try #require(try accessLog(file(
            global: ["log /dev/log\tlocal0", "log /dev/log\tlocal1 notice"],
            defaults: ["log global", "mode http", "option httplog", "option dontlognull"])))
        #expect(log.format == .httplog)
        #expect(log.path == nil)
        #expect(log.logNullConnections == false)
        #expect(log.syslog == SyslogConfiguration(targets: [
            SyslogTarget(address: .unix(path: "/dev/log"), facility: .local0),
            SyslogTarget(address: .unix(path: "/dev/log"), facility: .local1, level: .notice),
        ]))
        #expect(try HAProxyTestFiles.load(file(global: ["log /dev/log local0"])).warnings.isEmpty)
    }

    @Test("every target kind, len, format, levels, log-tag and log-send-hostname")
    func everyOption() throws {
        let log = try #require(try accessLog(file(global: [
            "log-tag edge", "log-send-hostname lb1",
            "log 10.0.0.5 local0", "log 10.0.0.5:5514 len 4096 format rfc5424 daemon info err",
            "log udp@10.0.0.6:515 user", "log udp6@::1:516 local7", "log [2001:db8::1]:517 local6",
            "log unix@/run/rsyslog.sock local2", "log stdout format raw local0", "log stderr format short local0 warning",
        ])))
        let syslog = try #require(log.syslog)
        #expect(syslog.tag == "edge")
        #expect(syslog.hostname == .named("lb1"))
        #expect(syslog.targets == [
            SyslogTarget(address: .udp(host: "10.0.0.5", port: 514), facility: .local0),
            SyslogTarget(address: .udp(host: "10.0.0.5", port: 5514), maxLength: 4096, format: .rfc5424, facility: .daemon, level: .info, minimumLevel: .err),
            SyslogTarget(address: .udp(host: "10.0.0.6", port: 515), facility: .user),
            SyslogTarget(address: .udp(host: "::1", port: 516), facility: .local7),
            SyslogTarget(address: .udp(host: "2001:db8::1", port: 517), facility: .local6),
            SyslogTarget(address: .unix(path: "/run/rsyslog.sock"), facility: .local2),
            SyslogTarget(address: .standardOutput, format: .raw, facility: .local0),
            SyslogTarget(address: .standardError, format: .short, facility: .local0, level: .warning),
        ])
        #expect(try accessLog(file(global: ["log-send-hostname", "log /dev/log local0"]))?.syslog?.hostname == .system)
    }

    @Test("log global, a proxy's own log line and no log combine as in HAProxy")
    func proxyLines() throws {
        let both = try accessLog(file(global: ["log /dev/log local0"], front: ["log 127.0.0.1:514 local1"]))
        #expect(both?.syslog?.targets.map(\.facility) == [.local0, .local1])
        let reset = try accessLog(file(global: ["log /dev/log local0"], front: ["no log", "log 127.0.0.1:514 local3"]))
        #expect(reset?.syslog?.targets.map(\.facility) == [.local3])
        // `option httplog` without any log target: standard output, as before.
        let none = try accessLog(file(global: ["log /dev/log local0"], front: ["no log"]))
        #expect(none == AccessLogConfiguration(format: .httplog, path: nil))
        #expect(none?.logNullConnections == false)
        let twice = try accessLog(file(global: ["log /dev/log local0"], defaults: ["log global", "log global", "option httplog"]))
        #expect(twice?.syslog?.targets.count == 1)
    }

    @Test("bad log lines are refused at their line with HAProxy's reason", arguments: [
        ("log /dev/log", "haproxy.cfg:2: error: log needs a target and a facility, e.g. log /dev/log local0"),
        ("log global", "haproxy.cfg:2: error: 'log global' is for defaults, frontend, backend and listen sections; in global, name a target: log /dev/log local0"),
        ("log /dev/log len 50 local0", "haproxy.cfg:2: error: invalid log length '50', must be between 80 and 65535"),
        ("log /dev/log format json local0", "haproxy.cfg:2: error: unknown log format 'json'; HAProxy knows local, rfc3164, rfc5424, priority, short, timed, iso, raw"),
        ("log /dev/log sample 1:2 local0", "haproxy.cfg:2: error: log sampling ('sample') is not supported: proxyd sends every line to each target"),
        ("log /dev/log local9", "haproxy.cfg:2: error: unknown log facility 'local9'; HAProxy knows kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit, alert, cron2, local0, local1, local2, local3, local4, local5, local6, local7"),
        ("log /dev/log local0 loud", "haproxy.cfg:2: error: unknown log level 'loud'; HAProxy knows emerg, alert, crit, err, warning, notice, info, debug"),
        ("log /dev/log local0 info quiet", "haproxy.cfg:2: error: unknown minimum log level 'quiet'; HAProxy knows emerg, alert, crit, err, warning, notice, info, debug"),
        ("log /dev/log local0 info err extra", "haproxy.cfg:2: error: unexpected 'extra' after the log levels"),
        ("log ring@buf local0", "haproxy.cfg:2: error: log target 'ring@buf': ring buffers are not supported; log to /dev/log, a UDP syslog server or stdout"),
        ("log tcp@10.0.0.1:514 local0", "haproxy.cfg:2: error: log target 'tcp@10.0.0.1:514': syslog over TCP is not supported; send over UDP (udp@ADDR:PORT) or to /dev/log"),
        ("log fd@3 local0", "haproxy.cfg:2: error: log target 'fd@3': only fd@1 (stdout) and fd@2 (stderr) are supported"),
        ("log abns@x local0", "haproxy.cfg:2: error: log target 'abns@x': 'abns@' sockets are not supported; log to /dev/log, unix@PATH, ADDR:PORT (UDP), stdout or stderr"),
        ("log logs.example.com:514 local0", "haproxy.cfg:2: error: log target 'logs.example.com:514': 'logs.example.com' is not an IP address; proxyd does not resolve names of log servers, write the address"),
        ("log udp6@10.0.0.1:514 local0", "haproxy.cfg:2: error: log target 'udp6@10.0.0.1:514': '10.0.0.1' is not an IPv6 address; proxyd does not resolve names of log servers, write the address"),
        ("log 10.0.0.1:99999 local0", "haproxy.cfg:2: error: log target '10.0.0.1:99999': invalid port '99999'"),
        ("log-tag", "haproxy.cfg:2: error: log-tag needs one value, e.g. log-tag proxyd"),
        ("log-send-hostname a b", "haproxy.cfg:2: error: log-send-hostname takes at most one name, found 2"),
    ])
    func globalErrors(line: String, message: String) {
        #expect(HAProxyTestFiles.errors(file(global: [line])) == [message])
    }

    @Test("proxy sections: no log takes no argument; logging without httplog or unlike another frontend is refused")
    func proxyErrors() {
        #expect(HAProxyTestFiles.errors(file(global: [], front: ["no log now"])) == ["haproxy.cfg:7: error: 'no log' does not expect arguments"])
        #expect(HAProxyTestFiles.errors(file(global: [], front: ["log /dev/log"])) == ["haproxy.cfg:7: error: log needs a target and a facility, e.g. log /dev/log local0, or 'log global'"])
        #expect(HAProxyTestFiles.errors(file(global: ["log /dev/log local0"], defaults: ["log global"]))
                == ["haproxy.cfg:4: error: frontend 'web' logs to syslog without 'option httplog': HAProxy would send its 'Connect from' lines, which proxyd does not write; add 'option httplog' (or 'no log')"])
        #expect(HAProxyTestFiles.errors(file(global: [], front: ["option tcplog"])) == ["haproxy.cfg:7: error: option tcplog is not supported: proxyd proxies HTTP and logs HAProxy's 'option httplog' line; write option httplog"])
        #expect(HAProxyTestFiles.errors(file(global: [], front: [#"log-format "%ci %ST""#])) == ["haproxy.cfg:7: error: unsupported directive 'log-format' in section frontend 'web'; custom log formats are not supported yet; proxyd writes HAProxy's 'option httplog' line"])
        let two = file(global: ["log /dev/log local0"]) + "frontend other\n    bind 127.0.0.1:8081\n    log 127.0.0.1 local5\n    default_backend app\n"
        #expect(HAProxyTestFiles.errors(two)
                == ["haproxy.cfg:11: error: frontend 'other' logs differently from frontend 'web' (its log targets): proxyd writes one access log for every listener; give both the same log lines and options"])
    }

    // MARK: YAML

    private func yamlLog(_ accessLog: String) throws(ConfigurationError) -> AccessLogConfiguration? {
        let yaml = """
            listeners:
              - { name: web, bind: "127.0.0.1:8080", backend: app }
            backends:
              app: { servers: ["127.0.0.1:9000"] }
            access_log:
            \(accessLog)
            """
        return try YAMLConfigurationLoader.load(yaml: yaml, file: "proxyd.yaml").configuration.accessLog
    }

    private func yamlErrors(_ accessLog: String) -> [String] {
        do {
            _ = try yamlLog(accessLog)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("YAML access_log.syslog carries targets, levels, formats, tag and host name")
    func yamlSyslog() throws {
        let log = try #require(try yamlLog("""
              format: httplog
              log_null_connections: true
              syslog:
                tag: edge
                send_hostname: true
                targets:
                  - { address: /dev/log, facility: local0 }
                  - { address: "127.0.0.1:5514", facility: local1, level: notice, min_level: err, format: rfc5424, max_length: 2048 }
            """))
        #expect(log.logNullConnections)
        #expect(log.syslog == SyslogConfiguration(targets: [
            SyslogTarget(address: .unix(path: "/dev/log"), facility: .local0),
            SyslogTarget(address: .udp(host: "127.0.0.1", port: 5514), maxLength: 2048, format: .rfc5424, facility: .local1, level: .notice, minimumLevel: .err),
        ], tag: "edge", hostname: .system))
    }

    @Test("YAML syslog mistakes are refused at their value")
    func yamlErrors() {
        #expect(yamlErrors("""
              syslog:
                targets:
                  - { address: "ring@x", facility: local0 }
                  - { address: /dev/log, facility: local9, level: loud }
            """) == [
                "proxyd.yaml:8:20: error: access_log.syslog.targets[0].address: log target 'ring@x': ring buffers are not supported; log to /dev/log, a UDP syslog server or stdout",
                "proxyd.yaml:9:40: error: access_log.syslog.targets[1].facility must be one of: kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit, alert, cron2, local0, local1, local2, local3, local4, local5, local6, local7",
            ])
        #expect(yamlErrors("""
              path: /var/log/proxyd.log
              syslog: { targets: [{ address: /dev/log, facility: local0 }] }
            """) == ["proxyd.yaml:6:9: error: access_log: write path or syslog, not both"])
    }

    @Test("proxyd convert carries every logging setting into YAML and back")
    func convertRoundTrip() throws {
        let original = try HAProxyTestFiles.load(file(global: [
            "log-tag edge", "log-send-hostname lb1",
            "log /dev/log local0", "log 10.0.0.5:5514 len 4096 format rfc5424 daemon info err",
            "log udp6@::1:516 local7", "log stdout format raw local0",
        ])).configuration
        let yaml = try ConfigurationYAMLWriter.yaml(for: original)
        let back = try YAMLConfigurationLoader.load(yaml: yaml, file: "converted.yaml").configuration
        #expect(back.accessLog == original.accessLog)
        #expect(original.accessLog?.syslog?.targets.count == 4)
        #expect(original.accessLog?.logNullConnections == true)
        let system = try HAProxyTestFiles.load(file(global: ["log-send-hostname", "log /dev/log local0"], defaults: ["log global", "option httplog", "option dontlognull"])).configuration
        let systemBack = try YAMLConfigurationLoader.load(yaml: try ConfigurationYAMLWriter.yaml(for: system), file: "converted.yaml").configuration
        #expect(systemBack.accessLog == system.accessLog)
    }
}
