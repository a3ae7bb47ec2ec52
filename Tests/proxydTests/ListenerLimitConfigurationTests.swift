import Testing
@testable import proxyd

/// `listeners[].max_connections`: read from YAML, range-checked, and written back by `check`.
@Suite("Listener connection limit configuration")
struct ListenerLimitConfigurationTests {
    private static func yaml(_ limit: String) -> String {
        """
        backends:
          app:
            servers: ["127.0.0.1:9000"]
        listeners:
          - bind: 127.0.0.1:8080
            backend: app
            max_connections: \(limit)
          - bind: 127.0.0.1:8081
            backend: app
        """
    }

    @Test("a listener's max_connections is read; a listener without one has none, and the written model keeps it")
    func readAndWritten() throws {
        let config = try YAMLConfigurationLoader.load(yaml: Self.yaml("500"), file: "test.yaml").configuration
        #expect(config.listeners.map(\.maxConnections) == [500, nil])
        let written = try ConfigurationYAMLWriter.yaml(for: config)
        let reread = try YAMLConfigurationLoader.load(yaml: written, file: "written.yaml").configuration
        #expect(reread.listeners.map(\.maxConnections) == [500, nil])
    }

    @Test("max_connections 0 is refused with its position")
    func zeroRefused() {
        do {
            _ = try YAMLConfigurationLoader.load(yaml: Self.yaml("0"), file: "test.yaml")
            Issue.record("max_connections: 0 was accepted")
        } catch {
            let messages = error.diagnostics.map(\.description)
            #expect(messages.count == 1)
            #expect(messages.first?.hasPrefix("test.yaml:7:22: error: listeners[0].max_connections") == true, "\(messages)")
        }
    }

    @Test("haproxy.cfg: a frontend's maxconn (or its defaults') becomes its listener's max_connections")
    func haproxyFrontendMaxconn() throws {
        let own = try HAProxyTestFiles.load(HAProxyTestFiles.file(front: ["maxconn 300"])).configuration
        #expect(own.listeners.map(\.maxConnections) == [300])
        let inherited = try HAProxyTestFiles.load(HAProxyTestFiles.file(prefix: ["defaults", "    mode http", "    maxconn 2000"])).configuration
        #expect(inherited.listeners.map(\.maxConnections) == [2000])
        let none = try HAProxyTestFiles.load(HAProxyTestFiles.file()).configuration
        #expect(none.listeners.map(\.maxConnections) == [nil])
    }

    @Test("haproxy.cfg: maxconn in a backend is ignored with a warning, as HAProxy does")
    func haproxyBackendMaxconnWarns() {
        let warnings = HAProxyTestFiles.warnings(HAProxyTestFiles.file(back: ["maxconn 50"]))
        #expect(warnings.contains { $0.hasPrefix("haproxy.cfg:5: warning: 'maxconn' is ignored in backend 'app'") }, "\(warnings)")
    }
}
