import Foundation
import LoadBalance
import Testing
@testable import proxyd

/// Loading haproxy.cfg files through ``HAProxyConfigurationLoader``.
enum HAProxyTestFiles {
    static let seedPath = TestPaths.repository.appendingPathComponent("Tests/proxydTests/Fixtures/seed-haproxy.cfg").path

    static func load(_ text: String, environment: [String: String] = [:]) throws(ConfigurationError) -> LoadedConfiguration {
        try HAProxyConfigurationLoader.load(text: text, file: "haproxy.cfg", environment: environment)
    }

    /// The messages of a refused file, one per problem.
    static func errors(_ text: String) -> [String] {
        do {
            _ = try load(text)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// The warnings of a file that loads (or its errors, so a failure shows them).
    static func warnings(_ text: String) -> [String] {
        do {
            return try load(text).warnings.map(\.description)
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    /// A frontend on line 1 with `bind` on line 2, then `front` from line 3, then a backend
    /// `app` whose lines `back` follow its header (a default server is added when `back` has none).
    static func file(front: [String] = [], back: [String] = [], prefix: [String] = []) -> String {
        var lines = prefix + ["frontend web", "    bind 127.0.0.1:8080"] + front.map { "    " + $0 }
        lines += ["    default_backend app", "backend app"] + back.map { "    " + $0 }
        if !back.contains(where: { $0.hasPrefix("server") }) { lines.append("    server a1 127.0.0.1:9000") }
        return lines.joined(separator: "\n") + "\n"
    }
}

@Suite("haproxy.cfg: the seed's configuration")
struct HAProxySeedTests {
    private func seed() throws -> LoadedConfiguration { try ConfigurationFile.load(path: HAProxyTestFiles.seedPath) }

    @Test("the seed loads with exactly the expected warnings, each at its line")
    func warnings() throws {
        let file = HAProxyTestFiles.seedPath
        #expect(try seed().warnings.map(\.description) == [
            "\(file):12: warning: 'daemon' is ignored: proxyd stays in the foreground; run it under systemd",
            "\(file):62: warning: server-template 'web' asks for 10 slots; proxyd has no slots: every target of _hello-world-service.internal is used, however many",
        ])
    }

    @Test("the HTTP frontend redirects to HTTPS except ACME challenges, which go to certbot")
    func httpFrontend() throws {
        let listener = try #require(try seed().configuration.listeners.first)
        #expect(listener.name == "http-in")
        #expect(listener.bind == BindAddress(host: "127.0.0.1", port: 8080))
        #expect(listener.tls == nil)
        #expect(listener.rules.map(\.action) == [.redirectScheme(scheme: "https", code: 301)])
        #expect(listener.rules.map(\.condition) == [.all([.not(.tls), .not(.pathPrefix(["/.well-known/acme-challenge/"]))])])
        #expect(listener.rules.first?.location == SourceLocation(file: HAProxyTestFiles.seedPath, line: 45, column: nil))
        #expect(listener.routes.map(\.backend) == ["certbot"])
        #expect(listener.routes.map(\.condition) == [.pathPrefix(["/.well-known/acme-challenge/"])])
        #expect(listener.defaultBackend == "hello")
        #expect(listener.forwardedHeaders)
    }

    @Test("the HTTPS frontend terminates TLS and adds X-Forwarded-Proto and X-SSL")
    func httpsFrontend() throws {
        let listener = try #require(try seed().configuration.listeners.last)
        #expect(listener.name == "https-in")
        #expect(listener.bind == BindAddress(host: "127.0.0.1", port: 8443))
        // The seed's ssl-default-bind-* policy: its lists, no tickets, HAProxy's server cipher order.
        var tls = ListenerTLSConfiguration(certificates: ["certs/yourdomain.pem"], alpn: ["http/1.1"], minimumVersion: "tls1.2")
        tls.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"
        tls.ciphersuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
        tls.sessionTickets = false
        tls.preferServerCiphers = true
        #expect(listener.tls == tls)
        #expect(listener.rules.map(\.action) == [
            .addHeader(name: "X-Forwarded-Proto", value: HeaderValueTemplate(parts: [.literal("https")])),
            .setHeader(name: "X-SSL", value: HeaderValueTemplate(parts: [.tlsFlag])),
        ])
        #expect(listener.rules.map(\.condition) == [.always, .always])
        #expect(listener.defaultBackend == "hello")
    }

    @Test("the service backend follows the SRV name through awsdns with an HTTP health check")
    func serviceBackend() throws {
        let backend = try #require(try seed().configuration.backend(named: "hello"))
        #expect(backend.membership == .srv(SRVMembership(name: "_hello-world-service.internal", resolver: "awsdns", addressPreference: .ipv4, serverPrefix: "web")))
        #expect(backend.balance == BalanceConfiguration())
        #expect(backend.healthCheck == HealthCheckConfiguration(
            kind: .http(method: "GET", path: "/health", host: nil, expectedStatus: 200...200),
            interval: .seconds(2), timeout: .seconds(2), rise: 2, fall: 3
        ))
        let certbot = try #require(try seed().configuration.backend(named: "certbot"))
        #expect(certbot.membership == .servers([ServerConfiguration(name: "certbot", host: "127.0.0.1", port: 8888, location: .init(file: HAProxyTestFiles.seedPath, line: 56, column: nil))]))
        #expect(certbot.healthCheck == nil)
    }

    @Test("the resolvers section maps nameserver, retries, payload size and every hold")
    func resolvers() throws {
        let resolver = try #require(try seed().configuration.resolver(named: "awsdns"))
        #expect(resolver.nameservers == .explicit([BindAddress(host: "127.0.0.1", port: 5353)]))
        #expect(resolver.attempts == 3)
        #expect(resolver.timeout == .seconds(1))
        #expect(resolver.payloadSize == 8192)
        #expect(resolver.holdOnFailure == .seconds(30))
        #expect(resolver.holdOnNXDomain == .seconds(30))
        #expect(resolver.removalGrace == .seconds(30))
        #expect(resolver.maximumTTL == .seconds(10))
        #expect(resolver.minimumTTL == .seconds(1))
        #expect(resolver.location == SourceLocation(file: HAProxyTestFiles.seedPath, line: 29, column: nil))
    }

    @Test("timeouts, maxconn, user and httplog become the process settings")
    func processSettings() throws {
        let config = try seed().configuration
        var timeouts = TimeoutConfiguration()
        timeouts.connect = .seconds(5)
        timeouts.client = .seconds(50)
        timeouts.server = .seconds(50)
        timeouts.requestHead = .seconds(10)
        timeouts.keepAlive = .seconds(60)
        #expect(config.timeouts == timeouts)
        #expect(config.limits.maxConnections == 4096)
        #expect(config.user == "haproxy")
        #expect(config.group == "haproxy")
        // `log global` in defaults: the two global `log /dev/log` lines; no `option dontlognull`.
        var log = AccessLogConfiguration(format: .httplog, path: nil)
        log.syslog = SyslogConfiguration(targets: [
            SyslogTarget(address: .unix(path: "/dev/log"), facility: .local0),
            SyslogTarget(address: .unix(path: "/dev/log"), facility: .local1, level: .notice),
        ])
        log.logNullConnections = true
        #expect(config.accessLog == log)
        #expect(config.threads == nil)
    }
}

@Suite("haproxy.cfg: supported directives")
struct HAProxyDirectiveTests {
    private func load(_ text: String, environment: [String: String] = [:]) throws -> ProxyConfiguration {
        try HAProxyTestFiles.load(text, environment: environment).configuration
    }

    @Test("several binds, or one bind with a comma list, become one listener each named after the frontend")
    func severalBinds() throws {
        let text = """
            frontend web
                bind *:80,127.0.0.1:8081
                bind :::8443 ssl crt /certs/site.pem
                default_backend app
            backend app
                server a1 127.0.0.1:9000
            """
        let listeners = try load(text).listeners
        #expect(listeners.map(\.name) == ["web-1", "web-2", "web-3"])
        #expect(listeners.map(\.bind) == [BindAddress(host: "0.0.0.0", port: 80), BindAddress(host: "127.0.0.1", port: 8081), BindAddress(host: "::", port: 8443)])
        #expect(listeners.map { $0.tls != nil } == [false, false, true])
        #expect(listeners.map(\.location.line) == [2, 2, 3])
    }

    @Test("ssl crt may repeat (the first answers unknown names), crt-base prefixes relative paths, h2 is dropped from alpn with a warning")
    func tlsBind() throws {
        let text = HAProxyTestFiles.file(prefix: ["global", "    crt-base /etc/haproxy/certs"])
            .replacingOccurrences(of: "bind 127.0.0.1:8080", with: "bind 127.0.0.1:8443 ssl crt a.pem crt /etc/letsencrypt/live/b/ alpn h2,http/1.1 ssl-min-ver TLSv1.3")
        let loaded = try HAProxyTestFiles.load(text)
        #expect(loaded.configuration.listeners.first?.tls == ListenerTLSConfiguration(
            certificates: ["/etc/haproxy/certs/a.pem", "/etc/letsencrypt/live/b/"], defaultCertificate: "/etc/haproxy/certs/a.pem",
            alpn: ["http/1.1"], minimumVersion: "tls1.3"
        ))
        #expect(loaded.warnings.map(\.description) == ["haproxy.cfg:4: warning: alpn: proxyd speaks HTTP/1.1 to clients; h2 not offered"])
    }

    @Test("ssl-default-bind-options ssl-min-ver sets the minimum version of every TLS bind")
    func globalMinimumVersion() throws {
        let text = HAProxyTestFiles.file(prefix: ["global", "    ssl-default-bind-options ssl-min-ver TLSv1.3 no-sslv3"])
            .replacingOccurrences(of: "bind 127.0.0.1:8080", with: "bind 127.0.0.1:8443 ssl crt site.pem")
        #expect(try load(text).listeners.first?.tls?.minimumVersion == "tls1.3")
    }

    @Test("use_backend takes if/unless with ||, or, ! and anonymous ACLs; AND binds tighter than OR")
    func routesWithConditions() throws {
        let text = HAProxyTestFiles.file(front: [
            "acl is_api path_beg /api/ /v2/",
            "acl is_admin hdr(host) -i Admin.Example.com",
            "use_backend app if is_api !{ ssl_fc } || is_admin",
            "use_backend app unless is_api or { hdr(Host) www.example.com }",
            "use_backend app",
        ])
        let routes = try load(text).listeners[0].routes
        #expect(routes.map(\.condition) == [
            .any([.all([.pathPrefix(["/api/", "/v2/"]), .not(.tls)]), .host(["admin.example.com"])]),
            .not(.any([.pathPrefix(["/api/", "/v2/"]), .host(["www.example.com"])])),
            .always,
        ])
        #expect(routes.map(\.location.line) == [5, 6, 7])
    }

    @Test("ACL lines with the same name are alternatives; lists of one fetch merge")
    func repeatedACL() throws {
        let text = HAProxyTestFiles.file(front: [
            "acl static path_beg /css/",
            "acl static path_beg /js/",
            "acl static hdr(host) static.example.com",
            "use_backend app if static",
            "use_backend app if !!static TRUE",
        ])
        let routes = try load(text).listeners[0].routes
        #expect(routes.map(\.condition) == [
            .any([.pathPrefix(["/css/", "/js/"]), .host(["static.example.com"])]),
            .any([.pathPrefix(["/css/", "/js/"]), .host(["static.example.com"])]),
        ])
    }

    @Test("http-request add-header, set-header and del-header keep their order and conditions")
    func headerRules() throws {
        let text = HAProxyTestFiles.file(front: [
            #"http-request set-header X-Forwarded-For "%[src]" if !{ hdr(host) internal.example.com }"#,
            "http-request del-header X-Debug unless { ssl_fc }",
            #"http-request add-header X-Client "for=%[src]:%[src_port] host=%[req.hdr(host)]""#,
        ])
        let rules = try load(text).listeners[0].rules
        #expect(rules.map(\.action) == [
            .setHeader(name: "X-Forwarded-For", value: HeaderValueTemplate(parts: [.clientAddress])),
            .removeHeader(name: "X-Debug"),
            .addHeader(name: "X-Client", value: HeaderValueTemplate(parts: [.literal("for="), .clientAddress, .literal(":"), .clientPort, .literal(" host="), .requestHeader("host")])),
        ])
        #expect(rules.map(\.condition) == [.not(.host(["internal.example.com"])), .not(.tls), .always])
    }

    @Test("redirects: scheme and prefix, HAProxy's default code 302, http-request redirect too")
    func redirects() throws {
        let text = HAProxyTestFiles.file(front: [
            "http-request redirect scheme https unless { ssl_fc }",
            "redirect prefix https://www.example.com code 308 if { hdr(host) example.com }",
        ])
        let rules = try load(text).listeners[0].rules
        #expect(rules.map(\.action) == [.redirectScheme(scheme: "https", code: 302), .redirectPrefix(prefix: "https://www.example.com", code: 308)])
        #expect(rules.map(\.condition) == [.not(.tls), .host(["example.com"])])
    }

    @Test("http-request rules run before redirect rules wherever written, with a warning as HAProxy gives")
    func ruleOrder() throws {
        let text = HAProxyTestFiles.file(front: [
            "redirect scheme https code 301 if !{ ssl_fc }",
            "http-request set-header X-A a",
        ])
        let loaded = try HAProxyTestFiles.load(text)
        #expect(loaded.configuration.listeners[0].rules.map(\.location.line) == [4, 3])
        #expect(loaded.warnings.map(\.description) == ["haproxy.cfg:4: warning: this http-request rule comes after a 'redirect' rule but runs before it, as in HAProxy: http-request rules run first"])
    }

    @Test("balance algorithms map to proxyd's strategies", arguments: [
        ("roundrobin", BalanceConfiguration.Strategy.roundRobin, HashKeySource.clientAddress),
        ("static-rr", .roundRobin, .clientAddress),
        ("leastconn", .leastConnections, .clientAddress),
        ("source", .sourceHash, .clientAddress),
        // HAProxy's `random` draws twice unless told otherwise ("The default value is 2").
        ("random", .powerOfTwoChoices, .clientAddress),
        ("random(1)", .random, .clientAddress),
        ("random(2)", .powerOfTwoChoices, .clientAddress),
        ("uri", .ringHash, .uri(includeQuery: false)),
        ("uri whole", .ringHash, .uri(includeQuery: true)),
        ("hdr(X-User)", .ringHash, .header("X-User")),
    ])
    func balance(algorithm: String, strategy: BalanceConfiguration.Strategy, key: HashKeySource) throws {
        let backend = try #require(try load(HAProxyTestFiles.file(back: ["balance \(algorithm)", "hash-type consistent"])).backends.first)
        #expect(backend.balance.strategy == strategy)
        #expect(backend.balance.hashKey == key)
    }

    @Test("fixed servers keep weight and backup; slowstart applies to the backend; default-server fills in")
    func servers() throws {
        let text = HAProxyTestFiles.file(back: [
            "default-server weight 5",
            "retries 4",
            "server a1 127.0.0.1:9001",
            "server a2 127.0.0.1:9002 weight 1 slowstart 30s",
            "server spare [::1]:9003 backup",
        ])
        let backend = try #require(try load(text).backends.first)
        let servers: [ServerConfiguration]
        if case .servers(let list) = backend.membership { servers = list } else { servers = [] }
        #expect(servers.map(\.name) == ["a1", "a2", "spare"])
        #expect(servers.map { BindAddress(host: $0.host, port: $0.port) } == [BindAddress(host: "127.0.0.1", port: 9001), BindAddress(host: "127.0.0.1", port: 9002), BindAddress(host: "::1", port: 9003)])
        #expect(servers.map(\.weight) == [5, 1, 5])
        #expect(servers.map(\.backup) == [false, false, true])
        #expect(backend.slowStart == .seconds(30))
        #expect(backend.retries == 4)
        #expect(backend.healthCheck == nil)
    }

    @Test("check without option httpchk is a TCP check; inter (bare milliseconds), rise and fall carry over; the timeout is inter")
    func tcpCheck() throws {
        let backend = try #require(try load(HAProxyTestFiles.file(back: ["server a1 127.0.0.1:9001 check inter 1500 rise 3 fall 5"])).backends.first)
        #expect(backend.healthCheck == HealthCheckConfiguration(kind: .tcp, interval: .milliseconds(1500), timeout: .milliseconds(1500), rise: 3, fall: 5))
    }

    @Test("option httpchk forms: none (OPTIONS /), URI only, METHOD URI VERSION with a Host header; timeout check", arguments: [
        ("option httpchk", HealthCheckConfiguration.Kind.http(method: "OPTIONS", path: "/", host: nil, expectedStatus: 200...399)),
        ("option httpchk /ping", .http(method: "OPTIONS", path: "/ping", host: nil, expectedStatus: 200...399)),
        (#"option httpchk HEAD /health HTTP/1.1\r\nHost:\ app.example.com"#, .http(method: "HEAD", path: "/health", host: "app.example.com", expectedStatus: 200...399)),
        ("option httpchk\n    http-check send meth GET uri /status ver HTTP/1.1 hdr Host svc.internal", .http(method: "GET", path: "/status", host: "svc.internal", expectedStatus: 200...399)),
    ])
    func httpCheck(line: String, kind: HealthCheckConfiguration.Kind) throws {
        let backend = try #require(try load(HAProxyTestFiles.file(back: [line, "timeout check 800ms", "server a1 127.0.0.1:9001 check"])).backends.first)
        #expect(backend.healthCheck?.kind == kind)
        #expect(backend.healthCheck?.timeout == .milliseconds(800))
    }

    @Test("http-check expect status takes a code or a range; rstatus the simple first-digit regexes", arguments: [
        ("status 204", 204...204), ("status 200-299", 200...299), ("rstatus ^2", 200...299), ("rstatus ^[23]", 200...399),
        (#"rstatus 2\d\d"#, 200...299), ("rstatus ^(2|3)[0-9][0-9]$", 200...399), ("rstatus ^[2-4]..", 200...499),
    ])
    func expectStatus(expect: String, range: ClosedRange<Int>) throws {
        let backend = try #require(try load(HAProxyTestFiles.file(back: ["option httpchk GET /", "http-check expect \(expect)", "server a1 127.0.0.1:9001 check"])).backends.first)
        #expect(backend.healthCheck?.kind == .http(method: "GET", path: "/", host: nil, expectedStatus: range))
    }

    @Test("server-template follows an SRV name with its resolve-prefer and resolve-opts ignore-weight")
    func serverTemplate() throws {
        let text = HAProxyTestFiles.file(
            back: ["server-template task 1-20 _api._tcp.service.internal:8080 resolvers vpc resolve-prefer ipv6 resolve-opts allow-dup-ip,ignore-weight init-addr last,libc,none"],
            prefix: ["resolvers vpc", "    parse-resolv-conf"]
        )
        let config = try load(text)
        #expect(config.backends.first?.membership == .srv(SRVMembership(name: "_api._tcp.service.internal", resolver: "vpc", addressPreference: .ipv6, serverPrefix: "task")))
        #expect(config.backends.first?.balance.ignoreSRVWeights == true)
        #expect(config.resolvers.first?.nameservers == .resolvConf(path: "/etc/resolv.conf"))
    }

    @Test("each defaults section starts afresh and applies to the sections after it")
    func severalDefaults() throws {
        let text = """
            defaults
                option forwardfor
                timeout client 5s
            frontend first
                bind 127.0.0.1:8080
                default_backend app
            defaults
                timeout client 20s
            frontend second
                bind 127.0.0.1:8081
                default_backend app
            backend app
                server a1 127.0.0.1:9000
            """
        let loaded = try HAProxyTestFiles.load(text)
        #expect(loaded.configuration.listeners.map(\.forwardedHeaders) == [true, false])
        #expect(loaded.configuration.timeouts.client == .seconds(20))
        #expect(loaded.warnings.map(\.description) == [
            "haproxy.cfg:3: warning: timeout client 5s (frontend 'first') differs from 20s elsewhere; proxyd has one timeout client and uses the longest"
        ])
    }

    @Test("option forwardfor in the backend a listener uses turns forwarded headers on")
    func forwardForInBackend() throws {
        let text = HAProxyTestFiles.file(back: ["option forwardfor"])
        let loaded = try HAProxyTestFiles.load(text)
        #expect(loaded.configuration.listeners[0].forwardedHeaders)
        #expect(loaded.warnings.isEmpty)
        #expect(try load(HAProxyTestFiles.file()).listeners[0].forwardedHeaders == false)
    }

    @Test("a listen section is a frontend and a backend of the same name")
    func listenSection() throws {
        let text = """
            listen api
                bind 127.0.0.1:8080
                balance leastconn
                server a1 127.0.0.1:9001 check
            """
        let config = try load(text)
        #expect(config.listeners.map(\.name) == ["api"])
        #expect(config.listeners.first?.defaultBackend == "api")
        #expect(config.backends.map(\.name) == ["api"])
        #expect(config.backends.first?.balance.strategy == .leastConnections)
        #expect(config.backends.first?.healthCheck?.kind == .tcp)
    }

    @Test("hold timeout/refused/other become one hold_on_failure, the longest, with a warning; timeout resolve below 1s lowers min_ttl")
    func resolverHolds() throws {
        let text = HAProxyTestFiles.file(prefix: [
            "resolvers dns",
            "    nameserver a 127.0.0.1:5353",
            "    nameserver b ::1",
            "    hold timeout 2m",
            "    hold refused 30s",
            "    hold other 2m",
            "    timeout resolve 500",
        ])
        let loaded = try HAProxyTestFiles.load(text)
        let resolver = try #require(loaded.configuration.resolvers.first)
        #expect(resolver.nameservers == .explicit([BindAddress(host: "127.0.0.1", port: 5353), BindAddress(host: "::1", port: 53)]))
        #expect(resolver.holdOnFailure == .seconds(120))
        #expect(resolver.maximumTTL == .milliseconds(500))
        #expect(resolver.minimumTTL == .milliseconds(500))
        #expect(loaded.warnings.map(\.description) == [
            "haproxy.cfg:5: warning: hold refused 30s differs from hold timeout 2m: proxyd keeps the last good answer through any resolver failure for one period, the longest"
        ])
    }

    @Test("global nbthread, hard-stop-after and maxconn become process settings")
    func globalSettings() throws {
        let config = try load(HAProxyTestFiles.file(prefix: ["global", "    nbthread 4", "    hard-stop-after 1m", "    maxconn 20000"]))
        #expect(config.threads == 4)
        #expect(config.timeouts.shutdownGrace == .seconds(60))
        #expect(config.limits.maxConnections == 20_000)
    }

    @Test("per-server values proxyd keeps per backend are merged with a warning at each server that differs")
    func perServerValuesMerge() throws {
        let text = HAProxyTestFiles.file(back: [
            "server a1 127.0.0.1:9001 check inter 1s slowstart 10s",
            "server a2 127.0.0.1:9002 check inter 3s slowstart 20s",
            "server a3 127.0.0.1:9003",
        ])
        let loaded = try HAProxyTestFiles.load(text)
        let backend = try #require(loaded.configuration.backends.first)
        #expect(backend.healthCheck?.interval == .seconds(1))
        #expect(backend.slowStart == .seconds(20))
        #expect(loaded.warnings.map(\.description) == [
            "haproxy.cfg:7: warning: server 'a3' has no 'check', but proxyd checks every endpoint of backend 'app' alike",
            "haproxy.cfg:6: warning: server 'a2': inter/rise/fall differ from server 'a1'; proxyd checks every endpoint of a backend alike, with 'a1''s",
            "haproxy.cfg:5: warning: server 'a1': slowstart 10s differs from the backend's 20s; proxyd applies one slowstart to every endpoint of a backend",
            "haproxy.cfg:7: warning: server 'a3': slowstart none differs from the backend's 20s; proxyd applies one slowstart to every endpoint of a backend",
        ])
    }

    @Test("option httpchk without any server check warns that it has no effect")
    func httpchkWithoutCheck() throws {
        let loaded = try HAProxyTestFiles.load(HAProxyTestFiles.file(back: ["option httpchk GET /health"]))
        #expect(loaded.configuration.backends.first?.healthCheck == nil)
        #expect(loaded.warnings.map(\.description) == ["haproxy.cfg:5: warning: option httpchk has no effect: no server of backend 'app' has 'check'"])
    }

    @Test("a fixed server's host name is not re-resolved through resolvers, with a warning")
    func fixedServerWithResolvers() throws {
        let text = HAProxyTestFiles.file(back: ["server a1 app.internal:9000 resolvers dns"], prefix: ["resolvers dns", "    nameserver a 127.0.0.1:53"])
        let loaded = try HAProxyTestFiles.load(text)
        #expect(loaded.configuration.backends.first?.membership == .servers([ServerConfiguration(name: "a1", host: "app.internal", port: 9000, location: .init(file: "haproxy.cfg", line: 7, column: nil))]))
        #expect(loaded.warnings.map(\.description) == ["haproxy.cfg:7: warning: server 'a1': proxyd does not re-resolve a fixed server's name through resolvers 'dns'; follow DNS with server-template on an SRV name"])
    }

    @Test("no option forwardfor in a frontend turns forwarded headers off despite defaults")
    func noOptionForwardFor() throws {
        let text = HAProxyTestFiles.file(front: ["no option forwardfor"], prefix: ["defaults", "    option forwardfor"])
        #expect(try load(text).listeners.first?.forwardedHeaders == false)
    }

    @Test("a listen section that only serves HAProxy's stats page is left out with a warning")
    func statsSection() throws {
        let text = HAProxyTestFiles.file() + "listen stats\n    bind :8404\n    stats enable\n    stats uri /stats\n"
        let loaded = try HAProxyTestFiles.load(text)
        #expect(loaded.configuration.listeners.map(\.name) == ["web"])
        #expect(loaded.warnings.map(\.description) == [
            "haproxy.cfg:8: warning: 'stats' is ignored: proxyd serves its stats page and admin API on the admin listener",
            "haproxy.cfg:9: warning: 'stats' is ignored: proxyd serves its stats page and admin API on the admin listener",
            "haproxy.cfg:6: warning: listen 'stats' only serves HAProxy's stats page and is not translated; proxyd's stats page, metrics and admin API are on the admin listener (127.0.0.1:9901 unless configured)",
        ])
    }

    @Test("a byte order mark before the first section and CRLF line ends are read as HAProxy's own files")
    func byteOrderMarkAndCRLF() throws {
        let text = "\u{FEFF}" + HAProxyTestFiles.file().replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try load(text).listeners.map(\.bind) == [BindAddress(host: "127.0.0.1", port: 8080)])
    }

    @Test("directives accepted without effect warn at their line with the reason", arguments: [
        ("option httplog clf", "haproxy.cfg:3: warning: option httplog clf: proxyd writes HAProxy's httplog format, not CLF"),
        ("timeout queue 30s", "haproxy.cfg:3: warning: timeout queue is ignored: proxyd does not queue requests"),
        ("option httpchk GET /", "haproxy.cfg:3: warning: option httpchk is ignored in a frontend: health checks belong to a backend"),
    ])
    func ignoredFrontendDirectives(line: String, warning: String) {
        #expect(HAProxyTestFiles.warnings(HAProxyTestFiles.file(front: [line])) == [warning])
    }

    @Test("global and backend directives accepted without effect warn with the reason", arguments: [
        ([String](), ["hash-type map-based"], "haproxy.cfg:5: warning: hash-type map-based is ignored: proxyd always hashes consistently (ring_hash), so fewer clients move when endpoints change"),
        ([], ["server a1 127.0.0.1:9000 check fastinter 500"], "haproxy.cfg:5: warning: server option 'fastinter' is ignored: proxyd checks at one interval ('inter')"),
        ([], ["http-check disable-on-404", "server a1 127.0.0.1:9000"], "haproxy.cfg:5: warning: http-check disable-on-404 is ignored: a 404 marks the endpoint down"),
    ])
    func ignoredOtherDirectives(prefix: [String], back: [String], warning: String) {
        #expect(HAProxyTestFiles.warnings(HAProxyTestFiles.file(back: back, prefix: prefix)) == [warning])
    }

    @Test("environment variables in double quotes are expanded from the environment given")
    func environment() throws {
        let text = HAProxyTestFiles.file(back: [#"server a1 "${APP_HOST}:$APP_PORT""#])
        let config = try load(text, environment: ["APP_HOST": "10.1.2.3", "APP_PORT": "8081"])
        #expect(config.backends.first?.membership == .servers([ServerConfiguration(name: "a1", host: "10.1.2.3", port: 8081, location: .init(file: "haproxy.cfg", line: 5, column: nil))]))
    }
}
