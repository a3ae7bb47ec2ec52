import ArgumentParser
import DNSWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TLSTerm

/// `proxyd demo`: proxyd's main job on an embedded default, with nothing to install.
///
/// Three local hello tasks, an embedded DNS zone publishing them as
/// `_hello-world-service.internal` SRV + A records (as AWS Cloud Map does for ECS), and the
/// proxy discovering them through that zone: HTTP on 127.0.0.1:8080 redirecting to HTTPS on
/// :8443. Every 20 seconds one task is replaced the way an ECS rolling deploy does it, so the
/// answering tasks change while requests keep succeeding. Ctrl-C stops everything.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run proxyd in front of three local tasks discovered through an embedded DNS zone."
    )

    @Option(help: "Port of the plain HTTP listener (redirects to HTTPS).")
    var httpPort: Int = 8080

    @Option(help: "Port of the HTTPS listener.")
    var httpsPort: Int = 8443

    @Option(help: "Port of the admin listener on 127.0.0.1: stats page, /metrics, API (0: none).")
    var adminPort: Int = 9901

    @Option(help: "Seconds between task replacements (0: never).")
    var replaceEvery: Int = 20

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        bootstrapLogging(level: logLevel)
        let logger = Logger(label: "proxyd.demo")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

        let dns = DemoDNSServer(origin: try DomainName("internal"))
        let dnsPort = try await dns.start(group: group)
        let deployment = DemoDeployment(dns: dns, group: group, logger: logger, replaceEvery: replaceEvery > 0 ? .seconds(replaceEvery) : nil)
        try await deployment.start(count: 3)

        // A certificate generated at start, as the demo has no domain: clients use -k.
        let certificateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("proxyd-demo-\(getpid())")
        try FileManager.default.createDirectory(at: certificateDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: certificateDirectory) }
        let certificate = certificateDirectory.appendingPathComponent("demo.pem")
        let pem = try SelfSignedCertificate.combinedPEM(commonName: "localhost", alternativeNames: ["DNS:localhost", "IP:127.0.0.1"])
        try pem.write(to: certificate, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: certificate.path)

        var configuration = Self.configuration(dnsPort: dnsPort, httpPort: httpPort, httpsPort: httpsPort, certificate: certificate.path)
        if adminPort > 0 {
            configuration.admin = AdminConfiguration(bind: BindAddress(host: "127.0.0.1", port: adminPort))
        }
        let runtime = try ProxyRuntime(configuration: configuration, group: group, logger: Logger(label: "proxyd"))
        try await runtime.bindListeners()

        let banner = """

            proxyd demo is running.
              tasks:      \(deployment.taskNames.joined(separator: ", ")) (replaced one by one every \(replaceEvery)s)
              discovery:  SRV _hello-world-service.internal via the embedded DNS zone on 127.0.0.1:\(dnsPort)
                          (try: dig @127.0.0.1 -p \(dnsPort) SRV _hello-world-service.internal)
              proxy:      http://127.0.0.1:\(httpPort)/ and https://127.0.0.1:\(httpsPort)/ (self-signed: use -k)

            Try:
              curl -si http://127.0.0.1:\(httpPort)/hello              # 301 to https
              curl -sk https://127.0.0.1:\(httpsPort)/hello            # a task's page: X-Forwarded-Proto, X-SSL
              for i in 1 2 3 4 5 6; do curl -sk https://127.0.0.1:\(httpsPort)/ | head -1; done   # round robin
              curl -s  http://127.0.0.1:\(httpPort)/.well-known/acme-challenge/x   # served over HTTP (certbot)
            \(adminPort > 0 ? """
              open http://127.0.0.1:\(adminPort)/          # the stats page: every task, its state, in-flight, req/s
              curl -s http://127.0.0.1:\(adminPort)/metrics | grep proxyd_requests_total
              curl -s http://127.0.0.1:\(adminPort)/api/backends
              curl -s -X POST http://127.0.0.1:\(adminPort)/api/backends/hello/endpoints/ADDRESS:PORT/drain   # out of rotation

            """ : "")
            Ctrl-C stops everything.

            """
        FileHandle.standardOutput.write(Data(banner.utf8))

        let services = ServiceGroup(configuration: .init(
            services: [.init(service: runtime), .init(service: deployment)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await services.run()
        await dns.stop()
        try? await group.shutdownGracefully()
    }

    /// The demo's proxy configuration, as a user would write it for an ECS service.
    static func configuration(dnsPort: Int, httpPort: Int, httpsPort: Int, certificate: String) -> ProxyConfiguration {
        let here = SourceLocation(file: "(demo)", line: 1, column: nil)
        var resolver = ResolverSection(name: "demo", nameservers: .explicit([BindAddress(host: "127.0.0.1", port: dnsPort)]), location: here)
        resolver.timeout = .milliseconds(500)
        resolver.minimumTTL = .seconds(1)
        resolver.maximumTTL = .seconds(5)
        resolver.removalGrace = .seconds(2)
        var backend = BackendConfiguration(
            name: "hello",
            membership: .srv(SRVMembership(name: DemoDeployment.serviceName, resolver: "demo")),
            location: here
        )
        backend.healthCheck = HealthCheckConfiguration(kind: .http(method: "GET", path: "/health", host: nil, expectedStatus: 200...399))
        var http = ListenerConfiguration(name: "http", bind: BindAddress(host: "127.0.0.1", port: httpPort), location: here)
        http.rules = [RequestRule(
            action: .redirectScheme(scheme: "https", code: 301, port: httpsPort),
            condition: .not(.pathPrefix(["/.well-known/acme-challenge/"])),
            location: here
        )]
        http.defaultBackend = "hello"
        var https = ListenerConfiguration(name: "https", bind: BindAddress(host: "127.0.0.1", port: httpsPort), location: here)
        https.tls = ListenerTLSConfiguration(certificates: [certificate])
        https.rules = [
            RequestRule(action: .setHeader(name: "X-SSL", value: HeaderValueTemplate(parts: [.tlsFlag])), location: here),
        ]
        https.defaultBackend = "hello"
        var configuration = ProxyConfiguration()
        configuration.resolvers = [resolver]
        configuration.backends = [backend]
        configuration.listeners = [http, https]
        return configuration
    }
}
