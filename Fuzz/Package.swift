// swift-tools-version: 6.1
// libFuzzer targets, kept out of the root package because they have no `main` (libFuzzer
// provides it) and only link with -sanitize=fuzzer. Build and run through scripts/fuzz.
// Each target's seed corpus: Fuzz/Corpus/<Target>/ (committed, small) plus the directories
// listed one per line in Fuzz/Sources/<Target>/SEEDS (paths relative to the repository root,
// e.g. ../shared/corpora/dns/knot-fuzz).
import PackageDescription

/// What the configuration loaders in Sources/proxyd/Configuration import.
let configurationDependencies: [Target.Dependency] = [
    .product(name: "Yams", package: "Yams"),
    .product(name: "TLSTerm", package: "proxyd"),
    .product(name: "HTTPCore", package: "proxyd"),
    .product(name: "DNSWire", package: "proxyd"),
    .product(name: "LoadBalance", package: "proxyd"),
]

let package = Package(
    name: "proxyd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "proxyd", path: ".."),
        // FuzzTLSServerHandshake drives TLSServerHandler in an EmbeddedChannel.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // The configuration loaders parse YAML with Yams, as proxyd does.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // HTTPCore: requests, responses and chunked bodies; whole vs split feeding must agree.
        // SEEDS: the HTTP test suites of ../shared/corpora/http, decoded by scripts/fuzz-seeds.py.
        .executableTarget(name: "FuzzHTTPRequest", dependencies: [.product(name: "HTTPCore", package: "proxyd")], exclude: ["SEEDS"]),
        .executableTarget(name: "FuzzHTTPResponse", dependencies: [.product(name: "HTTPCore", package: "proxyd")], exclude: ["SEEDS"]),
        .executableTarget(name: "FuzzChunkedDecoder", dependencies: [.product(name: "HTTPCore", package: "proxyd")], exclude: ["SEEDS"]),
        // DNSWire: any bytes decode or are rejected; what decodes re-encodes and decodes equal.
        .executableTarget(name: "FuzzDNSMessage", dependencies: [.product(name: "DNSWire", package: "proxyd")], exclude: ["SEEDS"]),
        // SRVDiscovery: resolv.conf parser (any text -> config within glibc's caps, or an error naming a line).
        .executableTarget(name: "FuzzResolvConf", dependencies: [.product(name: "SRVDiscovery", package: "proxyd")]),
        // TLSTerm: arbitrary bytes as a ClientHello and beyond; the handler never traps.
        .executableTarget(
            name: "FuzzTLSServerHandshake",
            dependencies: [
                .product(name: "TLSTerm", package: "proxyd"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
        // proxyd's configuration loaders (YAML and haproxy.cfg). They live in the daemon's
        // executable target, which another package cannot import, so each target compiles them
        // itself: `Configuration` is a symlink to ../Sources/proxyd/Configuration (the files
        // depend on Yams, Foundation and the libraries listed: TLSTerm validates TLS policy
        // through OpenSSL at load, HTTPCore checks error pages, DNSWire parses addresses and
        // LoadBalance names the hash keys) and ConfigurationFuzzSupport.swift a symlink to Fuzz/Shared/
        // (the properties both targets check). The fuzzers always build the daemon's current code.
        .executableTarget(name: "FuzzYAMLConfig", dependencies: configurationDependencies, exclude: ["SEEDS"]),
        .executableTarget(name: "FuzzHAProxyConfig", dependencies: configurationDependencies, exclude: ["SEEDS"]),
    ]
)
