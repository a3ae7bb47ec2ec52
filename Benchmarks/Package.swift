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
        // HTTPCoreBenchmarks: NIOHTTP1 is the comparison anchor (benchmarks only).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),  // SRVDiscovery and TLSTerm suites: Logger
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
        // HTTPCore's parser and codec side by side with NIOHTTP1's decoders on the same inputs.
        .executableTarget(
            name: "HTTPCoreBenchmarks",
            dependencies: benchmarkDeps + [
                .product(name: "HTTPCore", package: "proxyd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/HTTPCoreBenchmarks",
            plugins: benchmarkPlugins
        ),
        .executableTarget(name: "LoadBalanceBenchmarks",
            dependencies: benchmarkDeps + [.product(name: "LoadBalance", package: "proxyd")],
            path: "Benchmarks/LoadBalanceBenchmarks", plugins: benchmarkPlugins),

        .executableTarget(
            name: "DNSWireBenchmarks",
            dependencies: benchmarkDeps + [.product(name: "DNSWire", package: "proxyd")],
            path: "Benchmarks/DNSWireBenchmarks",
            plugins: benchmarkPlugins
        ),
        // TLSTerm: handshakes, resumption, throughput, driving TLSServerHandler in an EmbeddedChannel.
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
        // Not a benchmark suite (so not under Benchmarks/, where the plugin looks): the TLS
        // echo server scripts/tlsterm-idle-memory measures.
        .executableTarget(
            name: "TLSTermIdleServer",
            dependencies: [
                .product(name: "TLSTerm", package: "proxyd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/TLSTermIdleServer"
        ),
        // Not a benchmark suite either: the bare SwiftNIO pass-through that
        // `scripts/bench-peers --floor` measures beside proxyd, as the floor of its design.
        .executableTarget(
            name: "NIOForwardFloor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tools/NIOForwardFloor"
        ),
    ]
)
