import Benchmark
import CKeyChainNative
import COpenSSLBaseline
import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainStore
import KeyChainTestSupport

// Every subject is paired with a baseline measured in the same run ("baseline: ..."); compare
// their throughputs, never absolute figures from another day (the machine is shared).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        warmupIterations: 2,
        maxDuration: .seconds(4),
        maxIterations: 1_000
    )
    proofOfWorkBenchmarks()
    validationBenchmarks()
    verifyBenchmarks()
    storeBenchmarks()
    keyIndexBenchmarks()
}

// MARK: - Proof of work: hashes a second on one thread

func proofOfWorkBenchmarks() {
    let header = Fixtures.header
    let mega = Benchmark.Configuration(scalingFactor: .mega)
    Benchmark("pow: KeyChain nonce search, 1 thread (M hashes)", configuration: mega) { benchmark in
        // An unreachable target, so every nonce is tried.
        let search = ProofOfWork(header: header, target: Fixtures.hardTarget)
        blackHole(search.search(from: 0, count: UInt64(benchmark.scaledIterations.count)))
    }
    Benchmark("pow: portable C fallback, 1 thread (M hashes)", configuration: mega) { benchmark in
        let search = ProofOfWork(header: header, target: Fixtures.hardTarget, implementation: .portable)
        blackHole(search.search(from: 0, count: UInt64(benchmark.scaledIterations.count)))
    }
    Benchmark("pow: baseline OpenSSL SHA256_Transform loop, 1 thread (M hashes)", configuration: mega) { benchmark in
        let bytes = header.encoded
        blackHole(kc_baseline_openssl_pow(bytes, 0, UInt64(benchmark.scaledIterations.count)))
    }
}

// MARK: - Block validation: transactions a second

func validationBenchmarks() {
    let kilo = Benchmark.Configuration(scalingFactor: .kilo, maxDuration: .seconds(6))
    Benchmark("validate: 1,000-put block, all cores (K tx)", configuration: kilo) { benchmark in
        // A fresh chain each time: nothing cached, every signature verified.
        for _ in 0..<(benchmark.scaledIterations.count / 1_000) {
            let chain = try Blockchain(parameters: Fixtures.parameters, storage: MemoryBlockStore())
            benchmark.startMeasurement()
            blackHole(try chain.acceptBlock(Fixtures.block))
            benchmark.stopMeasurement()
        }
    }
    Benchmark("validate: baseline Ed25519 verify, 1 core (K tx)", configuration: kilo) { benchmark in
        let puts = Fixtures.block.transactions
        for index in benchmark.scaledIterations { blackHole(puts[index % puts.count].hasValidSignature) }
    }
}

// MARK: - One signature: the node's own verifier against libsodium's

func verifyBenchmarks() {
    let kilo = Benchmark.Configuration(scalingFactor: .kilo, maxDuration: .seconds(6))
    Benchmark("verify: baseline libsodium crypto_sign_verify_detached, 1 core (K sig)", configuration: kilo) { benchmark in
        let signed = Fixtures.signedByNewAuthors
        for index in benchmark.scaledIterations {
            let item = signed[index % signed.count]
            blackHole(Libsodium.verify(signature: item.signature, message: item.message, key: item.key))
        }
    }
    Benchmark("verify: KeyChain, a cold key (no tables), 1 core (K sig)", configuration: kilo) { benchmark in
        let signed = Fixtures.signedByNewAuthors
        for index in benchmark.scaledIterations {
            let item = signed[index % signed.count]
            blackHole(kc_ed25519_verify(item.signature, item.message, item.message.count, item.key))
        }
    }
}

// MARK: - Store: MB a second

func storeBenchmarks() {
    // Each iteration moves 16 blocks of about 64 KB; throughput counts iterations, so
    // MB/s = iterations/s x Fixtures.storeBatchBytes / 1e6.
    let configuration = Benchmark.Configuration(maxDuration: .seconds(4))
    Benchmark("store-append: 16 blocks, fsync each (iterations)", configuration: configuration) { benchmark in
        let directory = Fixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SegmentBlockStore(dataDirectory: directory)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for (height, block) in Fixtures.storeBlocks.enumerated() {
                try store.append(block, height: UInt32(height), cumulativeWork: Work(UInt128(height)))
            }
        }
        benchmark.stopMeasurement()
    }
    Benchmark("store-append: baseline raw write of the same bytes, fsync each (iterations)", configuration: configuration) { benchmark in
        let directory = Fixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/raw"
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0o644)
        defer { close(fd) }
        let encoded = Fixtures.storeBlocks.map(\.encoded)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for bytes in encoded {
                _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                fsync(fd)
            }
        }
        benchmark.stopMeasurement()
    }
    Benchmark("store-read: 16 blocks back (iterations)", configuration: configuration) { benchmark in
        let directory = Fixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SegmentBlockStore(dataDirectory: directory)
        for (height, block) in Fixtures.storeBlocks.enumerated() {
            try store.append(block, height: UInt32(height), cumulativeWork: Work(UInt128(height)))
        }
        let hashes = Fixtures.storeBlocks.map(\.hash)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for hash in hashes { blackHole(try store.block(hash)) }
        }
        benchmark.stopMeasurement()
    }
    Benchmark("store-read: baseline raw pread of the same bytes (iterations)", configuration: configuration) { benchmark in
        let directory = Fixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/raw"
        let encoded = Fixtures.storeBlocks.map(\.encoded)
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        var offsets: [(Int, Int)] = []
        var offset = 0
        for bytes in encoded {
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            offsets.append((offset, bytes.count))
            offset += bytes.count
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for (start, count) in offsets {
                var buffer = [UInt8](repeating: 0, count: count)
                _ = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(start)) }
                blackHole(buffer)
            }
        }
        benchmark.stopMeasurement()
    }
}

// MARK: - Key index: gets a second

func keyIndexBenchmarks() {
    let mega = Benchmark.Configuration(scalingFactor: .mega)
    Benchmark("keyindex: latest value, 20,000 keys (M gets)", configuration: mega) { benchmark in
        let index = Fixtures.keyIndexChain.keyIndex
        let keys = Fixtures.indexKeys
        for position in benchmark.scaledIterations { blackHole(try? index.latest(keys[position % keys.count])) }
    }
    Benchmark("keyindex: latest value on disk (SQLite), 20,000 keys (M gets)", configuration: mega) { benchmark in
        let index = Fixtures.keyIndexDiskChain.keyIndex
        let keys = Fixtures.indexKeys
        for position in benchmark.scaledIterations { blackHole(try? index.latest(keys[position % keys.count])) }
    }
    Benchmark("keyindex: baseline Dictionary<String, [UInt8]> lookup (M gets)", configuration: mega) { benchmark in
        let dictionary = Fixtures.plainDictionary
        let keys = Fixtures.indexKeys
        for position in benchmark.scaledIterations { blackHole(dictionary[keys[position % keys.count]]) }
    }
}
