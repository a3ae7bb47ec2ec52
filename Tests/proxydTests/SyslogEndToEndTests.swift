import Foundation
import PeerHarness
import Testing

/// proxyd run on a haproxy.cfg with `log` lines, sending to syslog receivers the test starts:
/// a UDP server on 127.0.0.1 and a Unix datagram socket standing for `/dev/log`; and real
/// HAProxy 2.6 sending to the same kind of receiver, for the framing side by side.
@Suite("syslog end to end")
struct SyslogEndToEndTests {
    /// A haproxy.cfg over the fixture's first task, with `LISTEN` for the fixture's bind.
    private static func config(global: [String], options: [String] = ["option httplog", "option dontlognull"], task: String, bind: String = "LISTEN") -> String {
        (["global"] + global.map { "    " + $0 }
         + ["defaults", "    log global", "    mode http"] + options.map { "    " + $0 }
         + ["    timeout connect 1s", "    timeout client 5s", "    timeout server 5s",
            "frontend web", "    bind \(bind)", "    default_backend hello",
            "backend hello", "    server t1 \(task)"]).joined(separator: "\n") + "\n"
    }

    private static func proxyd(_ text: String) async throws -> ProxyFixture {
        let fixture = try ProxyFixture()
        do {
            try await fixture.startTask(name: "task-1")
            try await fixture.startProxy(yaml: text.replacingOccurrences(of: "TASK", with: fixture.taskAddresses[0]), fileName: "haproxy.cfg")
        } catch {
            fixture.stop()
            throw error
        }
        return fixture
    }

    private static func get(_ address: String, _ path: String) async throws {
        let result = try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "http://\(address)\(path)"])
        #expect(result.out == "200", "GET \(path): \(result.err)")
    }

    /// HAProxy's httplog message as proxyd writes it for a request to `hello` over task-1.
    private static func httplog(path: String) -> String {
        #"127\.0\.0\.1:\d+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] web hello/127\.0\.0\.1:\d+ \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/\d+ \d+/\d+ "GET "#
            + NSRegularExpression.escapedPattern(for: path) + #" HTTP/1\.1""#
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: "^" + pattern + "$", options: .regularExpression) != nil
    }

    @Test("log 127.0.0.1:PORT local0 with option httplog: one datagram per request per target, with the right PRI, header and fields")
    func udpTargets() async throws {
        let receiver = try SyslogReceiver()
        let fixture = try await Self.proxyd(Self.config(global: [
            "log 127.0.0.1:\(receiver.port) local0",
            "log 127.0.0.1:\(receiver.port) format rfc5424 local2",
            "log 127.0.0.1:\(receiver.port) local1 notice", // takes nothing: requests are logged at info
        ], task: "TASK"))
        defer { fixture.stop() }
        let pid = try #require(fixture.proxy?.pid)
        for path in ["/a", "/b?x=1", "/c"] { try await Self.get(fixture.address, path) }
        let datagrams = try await receiver.receive(6)
        #expect(datagrams.count == 6)
        #expect(try await receiver.receive(1, within: .milliseconds(500)).isEmpty, "a notice-level target got an info line")
        for path in ["/a", "/b?x=1", "/c"] {
            let legacy = datagrams.filter { Self.matches($0, #"<134>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d proxyd\[\#(pid)\]: "# + Self.httplog(path: path) + "\n") }
            let rfc5424 = datagrams.filter { Self.matches($0, #"<150>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d - proxyd \#(pid) - - "# + Self.httplog(path: path) + "\n") }
            #expect(legacy.count == 1 && rfc5424.count == 1, "for \(path): \(datagrams)")
        }
    }

    @Test("a Unix datagram socket standing for /dev/log gets the lines, and again after it is re-created (journald restarted)")
    func unixTarget() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-devlog-\(UUID().uuidString.prefix(8))").path
        var receiver = try SyslogReceiver(unixPath: path)
        let fixture = try await Self.proxyd(Self.config(global: ["log \(path) local0", "log-tag web-edge"], task: "TASK"))
        defer { fixture.stop() }
        try await Self.get(fixture.address, "/first")
        let first = try await receiver.receive(1)
        #expect(first.count == 1 && Self.matches(first[0], #"<134>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d web-edge\[\d+\]: "# + Self.httplog(path: "/first") + "\n"), "\(first)")

        // The syslog daemon goes away: the line is lost and counted, proxyd goes on serving.
        receiver.close()
        try await Self.get(fixture.address, "/lost")
        receiver = try SyslogReceiver(unixPath: path)
        defer { receiver.close() }
        try await Self.get(fixture.address, "/second")
        // The writer thread may send /lost's line after the new socket exists: it then arrives
        // first, and /second's after it.
        var second = try await receiver.receive(1)
        if second.first?.contains(#""GET /lost HTTP/1.1""#) == true { second = try await receiver.receive(1) }
        #expect(second.count == 1 && second.first?.contains(#""GET /second HTTP/1.1""#) == true, "\(second)")
    }

    @Test("option dontlognull: a connection opened and closed without a request logs nothing; without it, HAProxy's <BADREQ> CR line")
    func dontLogNull() async throws {
        for dontLogNull in [true, false] {
            let receiver = try SyslogReceiver()
            let options = ["option httplog"] + (dontLogNull ? ["option dontlognull"] : [])
            let fixture = try await Self.proxyd(Self.config(global: ["log 127.0.0.1:\(receiver.port) local0"], options: options, task: "TASK"))
            defer { fixture.stop() }
            let socket = try fixture.connect()
            try await Task.sleep(for: .milliseconds(100))
            socket.close()
            try await Task.sleep(for: .milliseconds(300))
            try await Self.get(fixture.address, "/after")
            let datagrams = try await receiver.receive(dontLogNull ? 1 : 2)
            let extra = try await receiver.receive(1, within: .milliseconds(500))
            #expect(extra.isEmpty, "\(extra)")
            if dontLogNull {
                #expect(datagrams.count == 1 && datagrams.first?.contains(#""GET /after HTTP/1.1""#) == true, "\(datagrams)")
            } else {
                #expect(datagrams.count == 2, "\(datagrams)")
                let null = datagrams.first { $0.contains("<BADREQ>") } ?? ""
                #expect(Self.matches(null, #"<134>.* proxyd\[\d+\]: 127\.0\.0\.1:\d+ \[[^]]+\] web web/<NOSRV> -1/-1/-1/-1/0 400 0 - - CR-- 0/0/0/0/0 0/0 "<BADREQ>"\n"#), "\(null)")
            }
        }
    }

    @Test("side by side with HAProxy 2.6: the same PRI, header layout and httplog fields; only the tag and values differ")
    func framingMatchesHAProxy() async throws {
        let haproxyReceiver = try SyslogReceiver(), proxydReceiver = try SyslogReceiver()
        let fixture = try await Self.proxyd(Self.config(global: [
            "log 127.0.0.1:\(proxydReceiver.port) local0", "log 127.0.0.1:\(proxydReceiver.port) format rfc5424 local3",
        ], task: "TASK"))
        defer { fixture.stop() }
        let port = try await FreePort.udpAndTCP()
        let file = fixture.directory.appendingPathComponent("real-haproxy.cfg")
        try Self.config(global: [
            "log 127.0.0.1:\(haproxyReceiver.port) local0", "log 127.0.0.1:\(haproxyReceiver.port) format rfc5424 local3",
        ], task: fixture.taskAddresses[0], bind: "127.0.0.1:\(port)").write(to: file, atomically: true, encoding: .utf8)
        let server = try await HAProxyPeer.start(configuration: file.path, accepting: [port])
        defer { server.stop() }
        // The first request (HAProxy's checks may still be settling) is only a probe.
        try #require(try await Curl.run(["-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/probe"]).out == "200")
        _ = try await haproxyReceiver.receive(2)
        try await Self.get("127.0.0.1:\(port)", "/same?q=1")
        try await Self.get(fixture.address, "/same?q=1")
        let theirs = try await haproxyReceiver.receive(2).sorted()
        let ours = try await proxydReceiver.receive(2).sorted()
        try #require(theirs.count == 2 && ours.count == 2, "HAProxy sent \(theirs), proxyd \(ours)")
        // Values masked: digits, the program name, the server (HAProxy names it, proxyd gives
        // the endpoint).
        func shape(_ datagram: String) -> String {
            datagram.replacingOccurrences(of: "hello/t1 ", with: "hello/SERVER ")
                .replacingOccurrences(of: #"hello/127\.0\.0\.1:\d+ "#, with: "hello/SERVER ", options: .regularExpression)
                .replacingOccurrences(of: "haproxy", with: "PROGRAM").replacingOccurrences(of: "proxyd", with: "PROGRAM")
                .replacingOccurrences(of: #"-?\d+"#, with: "0", options: .regularExpression)
                .replacingOccurrences(of: #"[A-Z][a-z]{2} [ 0]0 "#, with: "Mmm 0 ", options: .regularExpression)
        }
        #expect(ours.map(shape) == theirs.map(shape), "HAProxy: \(theirs)\nproxyd: \(ours)")
        #expect(ours.map { $0.prefix(5) } == theirs.map { $0.prefix(5) })
    }
}
