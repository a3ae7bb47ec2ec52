import Testing
@testable import proxyd

/// What a reload keeps, opens, closes and replaces — decided from two configurations alone.
@Suite("Configuration diff")
struct ConfigurationDiffTests {
    private static let base = """
        resolvers:
          dns: { nameservers: ["127.0.0.1:5353"] }
        backends:
          hello:
            srv: { name: _hello._tcp.internal, resolver: dns }
          static:
            servers: ["127.0.0.1:9001"]
        listeners:
          - name: http
            bind: 127.0.0.1:8080
            rules:
              - set_header: { name: X-Gen, value: one }
            backend: hello
          - name: admin-ish
            bind: 127.0.0.1:8081
            backend: static
        """

    private func load(_ yaml: String, file: String = "a.yaml") throws -> ProxyConfiguration {
        try YAMLConfigurationLoader.load(yaml: yaml, file: file).configuration
    }

    @Test("the same file reloaded changes nothing, even when blocks moved to other lines")
    func identicalIsEmpty() throws {
        let old = try load(Self.base)
        let moved = try load("\n\n# a comment\n" + Self.base, file: "b.yaml")
        let diff = ConfigurationDiff(from: old, to: moved)
        #expect(diff.isEmpty)
        #expect(diff.keptListeners == [BindAddress(host: "127.0.0.1", port: 8080), BindAddress(host: "127.0.0.1", port: 8081)])
        #expect(diff.unchangedListeners.count == 2)
        #expect(diff.keptBackends == ["hello", "static"])
        #expect(diff.needsRestart.isEmpty)
    }

    @Test("a changed header rule keeps the socket but gives that listener a new generation")
    func changedRule() throws {
        let old = try load(Self.base)
        let new = try load(Self.base.replacingOccurrences(of: "value: one", with: "value: two"))
        let diff = ConfigurationDiff(from: old, to: new)
        #expect(diff.keptListeners.count == 2 && diff.addedListeners.isEmpty && diff.removedListeners.isEmpty)
        #expect(diff.unchangedListeners == [BindAddress(host: "127.0.0.1", port: 8081)])
        #expect(diff.keptBackends == ["hello", "static"])
        #expect(!diff.isEmpty)
    }

    @Test("a bind that moves is one listener removed and one added; a new backend is added")
    func movedBindAndNewBackend() throws {
        let old = try load(Self.base)
        let new = try load(Self.base
            .replacingOccurrences(of: "127.0.0.1:8081", with: "127.0.0.1:8082")
            .replacingOccurrences(of: "  static:\n", with: "  extra:\n    servers: [\"127.0.0.1:9002\"]\n  static:\n"))
        let diff = ConfigurationDiff(from: old, to: new)
        #expect(diff.keptListeners == [BindAddress(host: "127.0.0.1", port: 8080)])
        #expect(diff.addedListeners == [BindAddress(host: "127.0.0.1", port: 8082)])
        #expect(diff.removedListeners == [BindAddress(host: "127.0.0.1", port: 8081)])
        #expect(diff.addedBackends == ["extra"])
        // Adding an unused backend does not disturb the listener that does not use it.
        #expect(diff.unchangedListeners == [BindAddress(host: "127.0.0.1", port: 8080)])
    }

    @Test("a changed backend is replaced and every listener routing to it gets a new generation")
    func replacedBackend() throws {
        let old = try load(Self.base)
        let new = try load(Self.base.replacingOccurrences(of: "127.0.0.1:9001", with: "127.0.0.1:9009"))
        let diff = ConfigurationDiff(from: old, to: new)
        #expect(diff.replacedBackends == ["static"])
        #expect(diff.keptBackends == ["hello"])
        #expect(diff.unchangedListeners == [BindAddress(host: "127.0.0.1", port: 8080)])
    }

    @Test("a changed resolver section replaces the SRV backends that use it")
    func changedResolver() throws {
        let old = try load(Self.base)
        let new = try load(Self.base.replacingOccurrences(of: "127.0.0.1:5353", with: "127.0.0.1:5354"))
        let diff = ConfigurationDiff(from: old, to: new)
        #expect(diff.replacedBackends == ["hello"])
        #expect(diff.keptBackends == ["static"])
    }

    @Test("a removed backend and listener are listed; global timeouts renew every listener")
    func removedAndGlobal() throws {
        let old = try load(Self.base)
        let new = try load("""
            backends:
              static:
                servers: ["127.0.0.1:9001"]
            listeners:
              - name: admin-ish
                bind: 127.0.0.1:8081
                backend: static
            timeouts: { server: 9s }
            """)
        let diff = ConfigurationDiff(from: old, to: new)
        #expect(diff.removedBackends == ["hello"])
        #expect(diff.removedListeners == [BindAddress(host: "127.0.0.1", port: 8080)])
        #expect(diff.keptBackends == ["static"])
        #expect(diff.unchangedListeners.isEmpty)
    }

    @Test("threads, user and group are reported as needing a restart")
    func restartOnly() throws {
        let old = try load(Self.base)
        let new = try load(Self.base + "\nthreads: 3\nuser: nobody\ngroup: nogroup\n")
        #expect(ConfigurationDiff(from: old, to: new).needsRestart == ["threads", "user", "group"])
    }

    @Test("what is made once at start — access log and syslog targets, admin, runtime API socket, pidfile, open-file limit — is reported as needing a restart")
    func restartOnlyProcessParts() throws {
        let old = try load(Self.base)
        let new = try load(Self.base + """

            access_log: { format: json }
            admin: { bind: "127.0.0.1:9911" }
            stats_socket: { path: /run/proxyd.sock }
            pid_file: /run/proxyd.pid
            open_file_limit: 4096

            """)
        #expect(ConfigurationDiff(from: old, to: new).needsRestart == ["access_log", "admin", "stats_socket", "pid_file", "open_file_limit"])
    }
}
