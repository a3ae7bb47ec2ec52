import Logging
import NIOPosix
import ServiceLifecycle
import Testing
@testable import proxyd

/// `ProxyRuntime.reload(configuration:)` in process, as the admin API calls it: a summary for a
/// valid configuration, a typed error for an invalid one, both counted.
@Suite("ProxyRuntime reload", .serialized)
struct ReloadRuntimeTests {
    static func configuration(_ yaml: String) throws -> ProxyConfiguration {
        try YAMLConfigurationLoader.load(yaml: yaml, file: "runtime.yaml").configuration
    }

    static let base = """
        backends:
          a: { servers: ["127.0.0.1:9"] }
        listeners:
          - name: web
            bind: 127.0.0.1:PORT
            backend: a
        """

    static func attempt(_ runtime: ProxyRuntime, _ configuration: ProxyConfiguration) async -> Result<ReloadSummary, ReloadError> {
        do {
            return .success(try await runtime.reload(configuration: configuration))
        } catch {
            return .failure(error)
        }
    }

    @Test("a valid configuration returns what changed; an invalid one throws with file:line; both are counted")
    func summaryAndErrors() async throws {
        let port = try FreeTCPPort.find()
        let yaml = Self.base.replacingOccurrences(of: "PORT", with: "\(port)")
        let runtime = try ProxyRuntime(configuration: try Self.configuration(yaml), group: MultiThreadedEventLoopGroup.singleton,
                                       logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await runtime.bindListeners()
        let services = ServiceGroup(configuration: .init(services: [.init(service: runtime)], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let task = Task { try await services.run() }
        defer { task.cancel() }
        // run() starts asynchronously: a reload before it is refused as not running yet.
        let same = try Self.configuration(yaml)
        var summary: ReloadSummary?
        var refusedBeforeRunning = 0
        // (Generous: on a loaded machine the service group can take seconds to start it.)
        let deadline = ContinuousClock.now + .seconds(30)
        while summary == nil && ContinuousClock.now < deadline {
            switch await Self.attempt(runtime, same) {
            case .success(let applied):
                summary = applied
            case .failure(let error):
                #expect(error.description == ReloadError.notRunning.description)
                refusedBeforeRunning += 1
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(summary?.diff.isEmpty == true)

        let added = yaml.replacingOccurrences(of: "backends:\n", with: "backends:\n  b: { servers: [\"127.0.0.1:10\"] }\n")
            .replacingOccurrences(of: "backend: a", with: "backend: b")
        summary = try await runtime.reload(configuration: try Self.configuration(added))
        #expect(summary?.diff.addedBackends == ["b"])
        #expect(summary?.diff.unchangedListeners.isEmpty == true)
        #expect(runtime.backends.keys.sorted() == ["a", "b"])
        #expect(runtime.configuration.listeners.first?.defaultBackend == "b")

        let broken = added.replacingOccurrences(of: "    backend: b", with: "    backend: b\n    tls: { certificates: [/nonexistent/site.pem] }")
        await #expect {
            try await runtime.reload(configuration: try Self.configuration(broken))
        } throws: { error in
            guard case .certificate(let listener, let location, _) = error as? ReloadError else { return false }
            return listener == "web" && location.description == "runtime.yaml:5:5"
        }
        #expect(runtime.tlsContexts.isEmpty, "the refused TLS listener was not swapped in")
        await #expect(throws: ReloadError.self) { try await runtime.reload() }  // no file to read again
        #expect(runtime.reloads.applied == 2)
        #expect(runtime.reloads.refused == 2 + refusedBeforeRunning)
        #expect(runtime.reloads.lastError == ReloadError.noConfigurationFile.description)
        await services.triggerGracefulShutdown()
        _ = try? await task.value
        await #expect(throws: ReloadError.self) { try await runtime.reload(configuration: try Self.configuration(added)) }
    }
}
