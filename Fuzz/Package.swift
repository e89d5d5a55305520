// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for every decoder that reads bytes from outside the process: peer frames
// and messages, transactions and blocks, the client API's lines and requests, the tracker's
// HTTP requests, and the files a node reads at start-up. Kept out of the main package: they
// build with `-sanitize=fuzzer,address` into their own build directory. Run: ./fuzz.sh
let package = Package(
    name: "KeyChainFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "KeyChain", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "keychain-fuzz",
            dependencies: [
                "CFuzzDriver",
                .product(name: "KeyChainCore", package: "KeyChain"),
                .product(name: "KeyChainWire", package: "KeyChain"),
                .product(name: "KeyChainAPI", package: "KeyChain"),
                .product(name: "KeyChainStore", package: "KeyChain"),
                .product(name: "KeyChainChain", package: "KeyChain"),
                .product(name: "KeyChainTracker", package: "KeyChain"),
                .product(name: "KeyChainTestSupport", package: "KeyChain"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
