// swift-tools-version: 6.1
// The SRVBalancer example: a service calling the tasks behind an AWS Cloud Map SRV name with
// AsyncHTTPClient. A package of its own with a path dependency on proxyd's, so that the root
// `swift build` never builds AsyncHTTPClient. Built and tested by scripts/test-examples.
import PackageDescription

let package = Package(
    name: "SRVClient",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "proxyd", path: "../.."),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The example: `srv-client --srv NAME [--nameserver IP:PORT] [--calls N]`.
        .executableTarget(
            name: "SRVClient",
            dependencies: [
                .product(name: "SRVBalancer", package: "proxyd"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // One ECS task stand-in: an HTTP/1.1 server answering "hello from NAME", run as its own
        // process by the tests so that one can be killed with SIGKILL.
        .executableTarget(
            name: "HelloTask",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // proxyd's test-support target (a real BIND named driven by nsupdate), through a
        // symbolic link: SwiftPM refuses target paths outside the package.
        .target(
            name: "PeerHarness",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/PeerHarness"
        ),
        .testTarget(
            name: "SRVClientTests",
            dependencies: [
                "SRVClient", "HelloTask", "PeerHarness",
                .product(name: "SRVBalancer", package: "proxyd"),
                .product(name: "LoadBalance", package: "proxyd"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
