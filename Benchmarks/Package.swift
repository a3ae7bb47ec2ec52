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
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),  // SRVDiscoveryBenchmarks: Logger
    ],
    targets: [
        // SRVDiscovery: CPU cost of one watcher refresh (SRV answer -> endpoints, set comparison).
        .executableTarget(name: "SRVDiscoveryBenchmarks",
            dependencies: benchmarkDeps + [
                .product(name: "SRVDiscovery", package: "proxyd"),
                .product(name: "DNSWire", package: "proxyd"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/SRVDiscoveryBenchmarks", plugins: benchmarkPlugins),
        // Suites are added here, one per hot path, e.g.:
        // .executableTarget(name: "DNSWireBenchmarks",
        //     dependencies: benchmarkDeps + [.product(name: "DNSWire", package: "proxyd")],
        //     path: "Benchmarks/DNSWireBenchmarks", plugins: benchmarkPlugins),
        .executableTarget(
            name: "DNSWireBenchmarks",
            dependencies: benchmarkDeps + [.product(name: "DNSWire", package: "proxyd")],
            path: "Benchmarks/DNSWireBenchmarks",
            plugins: benchmarkPlugins
        ),
    ]
)
