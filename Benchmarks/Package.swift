// swift-tools-version: 6.1
// ordo-one/benchmark suites for proxyd's hot paths, one executable target per suite under
// Benchmarks/<Suite>/. A separate package (as swift-nio does it) so that the root `swift test`
// never builds the benchmark harness. Run through scripts/bench.
import PackageDescription

let benchmarkDeps: [Target.Dependency] = [.product(name: "Benchmark", package: "benchmark")]
let benchmarkPlugins: [Target.PluginUsage] = [.plugin(name: "BenchmarkPlugin", package: "benchmark")]

let package = Package(
    name: "proxyd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "proxyd", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // TLSTerm's suites drive TLSServerHandler in an EmbeddedChannel and log through swift-log.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Suites are added here, one per hot path, e.g.:
        // .executableTarget(name: "DNSWireBenchmarks",
        //     dependencies: benchmarkDeps + [.product(name: "DNSWire", package: "proxyd")],
        //     path: "Benchmarks/DNSWireBenchmarks", plugins: benchmarkPlugins),
        .executableTarget(
            name: "TLSTermBenchmarks",
            dependencies: benchmarkDeps + [
                .product(name: "TLSTerm", package: "proxyd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/TLSTermBenchmarks", exclude: ["Fixtures"], plugins: benchmarkPlugins
        ),
        // Not a benchmark suite: the TLS echo server scripts/tlsterm-idle-memory measures.
        .executableTarget(
            name: "TLSTermIdleServer",
            dependencies: [
                .product(name: "TLSTerm", package: "proxyd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/TLSTermIdleServer"
        ),
    ]
)
