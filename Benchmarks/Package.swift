// swift-tools-version: 6.1
import PackageDescription

// The engine's benchmarks, kept out of the main package so its default build stays fast.
// Run from this directory: swift package --disable-sandbox benchmark
let package = Package(
    name: "KeyChainBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "KeyChain", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // The baseline the proof-of-work loop is measured against: OpenSSL's SHA256_Transform.
        .target(
            name: "COpenSSLBaseline",
            cSettings: [.unsafeFlags(["-O2", "-Wno-deprecated-declarations"])],
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                "COpenSSLBaseline",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CKeyChainNative", package: "KeyChain"),
                .product(name: "KeyChainTestSupport", package: "KeyChain"),
                .product(name: "KeyChainCore", package: "KeyChain"),
                .product(name: "KeyChainStore", package: "KeyChain"),
                .product(name: "KeyChainChain", package: "KeyChain"),
                .product(name: "KeyChainMining", package: "KeyChain"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A `get` load generator for the node's socket (node-bench.sh).
        .executableTarget(name: "NodeLoad"),
        // `get` latency while the node validates blocks from a peer (node-bench.sh).
        .executableTarget(
            name: "ReadsDuringValidation",
            dependencies: [
                .product(name: "KeyChainOwner", package: "KeyChain"),
                .product(name: "KeyChainRPC", package: "KeyChain"),
                .product(name: "KeyChainP2P", package: "KeyChain"),
                .product(name: "KeyChainWire", package: "KeyChain"),
                .product(name: "KeyChainStore", package: "KeyChain"),
                .product(name: "KeyChainChain", package: "KeyChain"),
                .product(name: "KeyChainMining", package: "KeyChain"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A data directory holding a chain for a fresh node to sync (network-bench.sh).
        .executableTarget(
            name: "SyncChain",
            dependencies: [
                .product(name: "KeyChainChain", package: "KeyChain"),
                .product(name: "KeyChainStore", package: "KeyChain"),
                .product(name: "KeyChainMining", package: "KeyChain"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The validation target measured outside the harness, and a cold key's check against
        // libsodium's (see README.md).
        .executableTarget(
            name: "ValidationRatio",
            dependencies: [
                .product(name: "CKeyChainNative", package: "KeyChain"),
                .product(name: "KeyChainTestSupport", package: "KeyChain"),
                .product(name: "KeyChainChain", package: "KeyChain"),
                .product(name: "KeyChainMining", package: "KeyChain"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
