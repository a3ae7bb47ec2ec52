// swift-tools-version: 6.1
// The layout follows the design card: five libraries that other Swift services can import on
// their own, and one thin daemon that wires them together. Lower layers never import higher
// ones (DNSWire <- SRVDiscovery <- proxyd; HTTPCore, TLSTerm, LoadBalance <- proxyd).
// Benchmarks/ and Fuzz/ are separate packages with a path dependency on this one, so that
// `swift test` here builds neither the benchmark harness nor sanitizer-only fuzz entry points.
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "proxyd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DNSWire", targets: ["DNSWire"]),
        .library(name: "SRVDiscovery", targets: ["SRVDiscovery"]),
        .library(name: "HTTPCore", targets: ["HTTPCore"]),
        .library(name: "TLSTerm", targets: ["TLSTerm"]),
        .library(name: "LoadBalance", targets: ["LoadBalance"]),
        .executable(name: "proxyd", targets: ["proxyd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // proxyd only: the admin listener's /metrics (Prometheus text exposition).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Where the shared, public test data is (`../shared/corpora`, `../shared/seed`) and
        // whether its suites run or skip: one locator for every test target. Never a product.
        .target(name: "TestCorpora", path: "Tests/TestCorpora", swiftSettings: strictSwift),

        // MARK: DNSWire — pure DNS wire codec, no dependencies, no I/O.
        .target(name: "DNSWire", swiftSettings: strictSwift),
        .testTarget(
            name: "DNSWireTests",
            dependencies: ["DNSWire", "TestCorpora"],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),

        // MARK: SRVDiscovery — DNS client, resolv.conf, SRV resolution, endpoint watcher.
        .target(
            name: "SRVDiscovery",
            dependencies: [
                "DNSWire",
                .product(name: "NIOCore", package: "swift-nio"),
                // NIOLockedValueBox: a pthread mutex, which ThreadSanitizer understands (the
                // stdlib Mutex's futex path is invisible to it and yields false reports).
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // Real peers for integration tests (BIND named driven by nsupdate), shared by the
        // SRVDiscovery and proxyd test targets. Never part of a product.
        .target(
            name: "PeerHarness",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/PeerHarness",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "SRVDiscoveryTests",
            dependencies: [
                "SRVDiscovery", "DNSWire", "PeerHarness",
                "LoadBalance",  // only for the README example: a watcher feeding a balancer
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),

        // MARK: HTTPCore — HTTP/1.1 parser + serializer (pure core) and its NIO codec.
        .target(
            name: "HTTPCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "HTTPCoreTests",
            dependencies: [
                "HTTPCore", "TestCorpora", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),

        // MARK: TLSTerm — TLS termination on the system OpenSSL (libssl-dev).
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // The one small C target: OpenSSL macros that Swift cannot import, as real functions.
        .target(name: "CTLSShim", dependencies: ["COpenSSL"]),
        .target(
            name: "TLSTerm",
            dependencies: [
                "COpenSSL",
                "CTLSShim",
                .product(name: "NIOCore", package: "swift-nio"),
                // NIOLockedValueBox / NIOLock: ThreadSanitizer sees their pthread mutex.
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "TLSTermTests",
            dependencies: [
                "TLSTerm", "PeerHarness", "TestCorpora", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),

        // MARK: LoadBalance — strategies and endpoint health, pure and thread-safe.
        .target(
            name: "LoadBalance",
            dependencies: [.product(name: "Atomics", package: "swift-atomics")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "LoadBalanceTests",
            dependencies: ["LoadBalance"],
            swiftSettings: strictSwift
        ),

        // MARK: proxyd — the thin daemon.
        .executableTarget(
            name: "proxyd",
            dependencies: [
                "DNSWire", "SRVDiscovery", "HTTPCore", "TLSTerm", "LoadBalance",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift
        ),
        // Per-thread allocation counts for tests that prove a path allocates nothing.
        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        .testTarget(
            name: "proxydTests",
            dependencies: ["proxyd", "PeerHarness", "TestCorpora", "TLSTerm", "CMallocCounter"],
            exclude: ["Fixtures"],
            swiftSettings: strictSwift
        ),
    ]
)
