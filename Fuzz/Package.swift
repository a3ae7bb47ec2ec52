// swift-tools-version: 6.1
// libFuzzer targets, kept out of the root package because they have no `main` (libFuzzer
// provides it) and only link with -sanitize=fuzzer. Build and run through scripts/fuzz.
// Each target's seed corpus: Fuzz/Corpus/<Target>/ (committed, small) plus the directories
// listed one per line in Fuzz/Sources/<Target>/SEEDS (paths relative to the repository root,
// e.g. ../shared/corpora/dns/knot-fuzz).
import PackageDescription

let package = Package(
    name: "proxyd-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "proxyd", path: ".."),
        // FuzzTLSServerHandshake drives TLSServerHandler in an EmbeddedChannel.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // .executableTarget(name: "FuzzDNSMessage",
        //     dependencies: [.product(name: "DNSWire", package: "proxyd")]),
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
    ]
)
