// swift-tools-version: 6.1
import PackageDescription

// Layering (docs/ARCHITECTURE.md §2), no cycles:
//   CKeyChainNative, CZlib, CSQLite, CFileSystem <- KeyChainCore <- KeyChainStore <- KeyChainChain <- KeyChainMining
//   KeyChainCore <- KeyChainWire (peer messages) and KeyChainAPI (client messages)
//   KeyChainCore <- KeyChainTracker <- keychain-tracker
//   KeyChainCore <- KeyChainAPI <- KeyChainOwner (with Chain, Store, Mining, P2P) <- KeyChainRPC
//   KeyChainWire, KeyChainP2P <- KeyChainTransport (TCP; knows nothing of the owner)
//   KeyChainOwner, KeyChainRPC, KeyChainTransport, KeyChainTracker <- KeyChainNode <- keychain-node
//   keychain-devnet runs the executables as child processes and links none of the modules
//   KeyChainCore, KeyChainAPI <- KeyChainClient <- keychain-cli
//   KeyChainWire, KeyChainChain <- KeyChainP2P <- KeyChainSimulator (with Store, Mining) <- keychain-sim
// KeyChainTestSupport is shipped for tests only; it alone links libsodium (CSodium), the
// oracle the project's own Ed25519 verifier is tested against.
let package = Package(
    name: "KeyChain",
    platforms: [.macOS(.v15)],
    products: [
        // The native primitives, the Ed25519 verifier among them: for the benchmarks, which
        // measure its paths against libsodium's.
        .library(name: "CKeyChainNative", targets: ["CKeyChainNative"]),
        .library(name: "KeyChainCore", targets: ["KeyChainCore"]),
        .library(name: "KeyChainStore", targets: ["KeyChainStore"]),
        .library(name: "KeyChainChain", targets: ["KeyChainChain"]),
        .library(name: "KeyChainMining", targets: ["KeyChainMining"]),
        .library(name: "KeyChainTestSupport", targets: ["KeyChainTestSupport"]),
        .library(name: "KeyChainAPI", targets: ["KeyChainAPI"]),
        .library(name: "KeyChainWire", targets: ["KeyChainWire"]),
        .library(name: "KeyChainP2P", targets: ["KeyChainP2P"]),
        .library(name: "KeyChainSimulator", targets: ["KeyChainSimulator"]),
        .library(name: "KeyChainOwner", targets: ["KeyChainOwner"]),
        .library(name: "KeyChainRPC", targets: ["KeyChainRPC"]),
        .library(name: "KeyChainTransport", targets: ["KeyChainTransport"]),
        .library(name: "KeyChainNode", targets: ["KeyChainNode"]),
        .library(name: "KeyChainClient", targets: ["KeyChainClient"]),
        .library(name: "KeyChainTracker", targets: ["KeyChainTracker"]),
        .executable(name: "keychain-node", targets: ["keychain-node"]),
        .executable(name: "keychain-cli", targets: ["keychain-cli"]),
        .executable(name: "keychain-tracker", targets: ["keychain-tracker"]),
        .executable(name: "keychain-devnet", targets: ["keychain-devnet"]),
        .executable(name: "keychain-sim", targets: ["keychain-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        // SHA-256 (SHA-NI with a portable fallback), the proof-of-work nonce loop, CRC-32C.
        .target(name: "CKeyChainNative"),
        // The system zlib (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The system SQLite (Debian: libsqlite3-dev): the key index's store on disk.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Linux file-system calls the Glibc module leaves out (hole punching), from libc.
        .systemLibrary(name: "CFileSystem"),
        // libsodium's runtime library (Debian: libsodium23), with the few prototypes used
        // declared in shim.h: the oracle the tests, fuzz targets and benchmarks hold the
        // project's own Ed25519 verifier to. No shipped binary links it.
        .systemLibrary(name: "CSodium"),
        .target(
            name: "KeyChainCore",
            dependencies: [
                "CKeyChainNative",
                .product(name: "Crypto", package: "swift-crypto"),
                // Its locks, not Synchronization's Mutex (see KeyChainNode.swift: threads and locks).
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "KeyChainStore",
            dependencies: [
                "KeyChainCore", "CKeyChainNative", "CZlib", "CSQLite", "CFileSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "KeyChainChain",
            dependencies: [
                "KeyChainCore", "KeyChainStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                // Persistent maps: the key index is published to readers as a snapshot after
                // every change, and a copy must cost O(1), not a copy of every key.
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ]
        ),
        .target(
            name: "KeyChainMining",
            dependencies: [
                "KeyChainCore", "KeyChainChain", "CKeyChainNative",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(name: "KeyChainWire", dependencies: ["KeyChainCore"]),
        .target(
            name: "KeyChainP2P",
            dependencies: ["KeyChainCore", "KeyChainChain", "KeyChainWire", .product(name: "DequeModule", package: "swift-collections")]
        ),
        .target(
            name: "KeyChainSimulator",
            dependencies: [
                "KeyChainCore", "KeyChainStore", "KeyChainChain", "KeyChainMining", "KeyChainWire", "KeyChainP2P",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "KeyChainAPI",
            dependencies: ["KeyChainCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // The node's core: the chain's owner, its lanes and timers, the views reads are
        // answered from, and the `Node` façade. No event loops.
        .target(
            name: "KeyChainOwner",
            dependencies: [
                "KeyChainCore", "KeyChainStore", "KeyChainChain", "KeyChainMining", "KeyChainAPI", "KeyChainP2P",
                .product(name: "HashTreeCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The client API server: the Unix socket, a connection's ordering, the method table.
        .target(
            name: "KeyChainRPC",
            dependencies: [
                "KeyChainOwner", "KeyChainCore", "KeyChainChain", "KeyChainP2P", "KeyChainAPI",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The peer protocol over TCP: connections, frames, the send backlog, signature checks
        // before the owner.
        .target(
            name: "KeyChainTransport",
            dependencies: [
                "KeyChainCore", "KeyChainChain", "KeyChainP2P", "KeyChainWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // One node put together: the owner, the API server, the transport, trackers, the peers
        // file, metrics, as one service.
        .target(
            name: "KeyChainNode",
            dependencies: [
                "KeyChainCore", "KeyChainChain", "KeyChainP2P", "KeyChainWire", "KeyChainTracker",
                "KeyChainOwner", "KeyChainRPC", "KeyChainTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The tracker: its membership table, state directory and HTTP/JSON API, and the client
        // a node announces through.
        .target(
            name: "KeyChainTracker",
            dependencies: [
                "KeyChainCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "KeyChainClient",
            dependencies: [
                "KeyChainCore", "KeyChainAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "keychain-node",
            dependencies: [
                "KeyChainNode", "KeyChainOwner", "KeyChainCore", "KeyChainChain", "KeyChainP2P",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "keychain-tracker",
            dependencies: [
                "KeyChainTracker", "KeyChainCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "keychain-devnet",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "keychain-cli",
            dependencies: [
                "KeyChainClient", "KeyChainAPI", "KeyChainCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "keychain-sim",
            dependencies: ["KeyChainSimulator", "KeyChainP2P", "KeyChainCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Tests only: the executables as child processes (nodes, trackers, the CLI), raw
        // sockets for misbehaving clients and peers, a TCP proxy, free ports, bounded waits.
        .target(
            name: "KeyChainTestProcesses",
            dependencies: [
                "KeyChainClient", "KeyChainAPI", "KeyChainTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "KeyChainTestSupport",
            dependencies: ["KeyChainCore", "KeyChainStore", "KeyChainChain", "KeyChainMining", "CSodium"]
        ),
        .testTarget(
            name: "KeyChainCoreTests",
            dependencies: [
                "KeyChainCore", "KeyChainAPI", "KeyChainTestSupport", "CKeyChainNative", "CSodium",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            // The Ed25519 vector suites: data, read from the source tree (Vectors/README.md).
            exclude: ["Vectors"]
        ),
        .testTarget(name: "KeyChainStoreTests", dependencies: ["KeyChainStore", "KeyChainTestSupport", "CKeyChainNative"]),
        .testTarget(name: "KeyChainChainTests", dependencies: ["KeyChainChain", "KeyChainTestSupport"]),
        .testTarget(
            name: "KeyChainNodeTests",
            dependencies: ["KeyChainNode", "KeyChainOwner", "KeyChainRPC", "KeyChainTransport", "KeyChainClient", "KeyChainAPI",
                           "KeyChainTestSupport", "KeyChainTestProcesses", "KeyChainP2P", "KeyChainWire",
                           "KeyChainStore", "KeyChainChain", "KeyChainCore", "KeyChainTracker",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOConcurrencyHelpers", package: "swift-nio"), .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOEmbedded", package: "swift-nio")]
        ),
        .testTarget(name: "KeyChainWireTests", dependencies: ["KeyChainWire", "KeyChainTestSupport"]),
        .testTarget(name: "KeyChainP2PTests", dependencies: ["KeyChainP2P", "KeyChainChain", "KeyChainStore", "KeyChainWire", "KeyChainTestSupport"]),
        .testTarget(name: "KeyChainSimulatorTests", dependencies: ["KeyChainSimulator", "KeyChainP2P", "KeyChainTestSupport"]),
        .testTarget(name: "KeyChainTrackerTests", dependencies: ["KeyChainTracker", "KeyChainCore"]),
        .testTarget(
            name: "KeyChainMiningTests",
            dependencies: ["KeyChainMining", "KeyChainTestSupport", "CKeyChainNative", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
