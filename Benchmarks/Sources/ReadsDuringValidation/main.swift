// `get` latency on one connection while the node validates blocks it did not mine: blocks of
// 1,000 puts by 1,000 new authors (every signature checked in full: the worst case), delivered
// in-process through the peer protocol as a peer would deliver them, each stored with fsync.
// The idle figure comes from the same run, in interleaved rounds; the load generator is
// NodeLoad, a separate process, on the node's real Unix socket.
//
//   ReadsDuringValidation --load PATH/NodeLoad [--rounds 3] [--requests 50000] [--blocks-per-round 80]
import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainOwner
import KeyChainP2P
import KeyChainRPC
import KeyChainStore
import KeyChainWire
import Logging

LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }

struct Options {
    var load = "Benchmarks/.build/release/NodeLoad"
    var rounds = 3
    var requests = 50_000
    var blocksPerRound = 80
    let keys = 10_000

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--load": load = value
            case "--rounds": rounds = Int(value) ?? rounds
            case "--requests": requests = Int(value) ?? requests
            case "--blocks-per-round": blocksPerRound = Int(value) ?? blocksPerRound
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

let options = Options(CommandLine.arguments)
let now = UInt64(Date().timeIntervalSince1970 * 1000)
let parameters = try NetworkParameters(name: "reads-bench", difficultyBits: 4, createdAt: now - 3_600_000)

/// A block on `parent` of 1,000 puts, each by its own new author.
func block(on parent: BlockHeader, keys: [String]) -> Block {
    var puts = [Transaction?](repeating: nil, count: keys.count)
    puts.withUnsafeMutableBufferPointer { slots in
        nonisolated(unsafe) let slots = slots
        DispatchQueue.concurrentPerform(iterations: keys.count) { index in
            slots[index] = try? Transaction.signed(key: keys[index], value: Array(#"{"n":\#(index),"payload":"0123456789abcdef"}"#.utf8), by: Identity())
        }
    }
    let transactions = puts.compactMap { $0 }
    var header = BlockHeader(previous: parent.hash, merkleRoot: MerkleTree.root(transactions.map(\.id)),
                             timestamp: parent.timestamp + 1_000, target: parameters.target.compact)
    header.nonce = ProofOfWork(header: header, target: parameters.target).search(from: 0, count: 1 << 20).found?.nonce ?? 0
    return Block(header: header, transactions: transactions)
}

/// NodeLoad's keys: "load/" and a zero-padded index, 32 bytes.
func loadKey(_ index: Int) -> String {
    let digits = String(index)
    return "load/" + String(repeating: "0", count: 32 - 5 - digits.count) + digits
}

FileHandle.standardError.write(Data("signing \(options.keys / 1_000 + options.rounds * options.blocksPerRound) blocks of 1,000 puts by new authors...\n".utf8))
var parent = parameters.genesisBlock.header
var seed: [Block] = []
for start in stride(from: 0, to: options.keys, by: 1_000) {
    let next = block(on: parent, keys: (start..<(start + 1_000)).map(loadKey))
    seed.append(next)
    parent = next.header
}
var rounds: [[Block]] = []
for round in 0..<options.rounds {
    var blocks: [Block] = []
    for index in 0..<options.blocksPerRound {
        let next = block(on: parent, keys: (0..<1_000).map { "bench/\(round)/\(index)/\($0)" })
        blocks.append(next)
        parent = next.header
    }
    rounds.append(blocks)
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reads-bench-\(getpid())").path
try? FileManager.default.removeItem(atPath: directory)
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let socketPath = directory + "/keychain.sock"
let node = try Node(parameters: parameters, storage: try SegmentBlockStore(dataDirectory: directory), wallet: Identity(),
                    configuration: NodeConfiguration(dataDirectory: directory, mine: false))
let server = APIServer(node: node, path: socketPath, maxRequestBytes: 8 << 20, maxClients: 1_024, logger: Logger(label: "bench"))
Task.detached { try await server.run() }
while !FileManager.default.fileExists(atPath: socketPath) { usleep(10_000) }

// A peer, as the TCP transport will present one.
let peer = PeerID(1)
node.receive(.connected(peer, outbound: false, address: PeerAddress(ipv4: 127, 0, 0, 1, port: 40_000)))
node.receive(.received(peer, .version(VersionMessage(genesis: parameters.genesisHash, bestHeight: UInt32(seed.count), listenPort: 0,
                                                     nodeID: 77, timestamp: now))))
node.receive(.received(peer, .verack))
for block in seed { node.receive(.received(peer, .block(BlockMessage(block)))) }
await node.settle()
guard node.view.height == UInt32(seed.count) else {
    FileHandle.standardError.write(Data("the seed blocks were not accepted: height \(node.view.height)\n".utf8))
    exit(1)
}

/// One NodeLoad run: ops/s, p50 and p99 in microseconds.
func measure() throws -> [String: Double] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.load)
    process.arguments = ["--socket", socketPath, "--connections", "1", "--requests", String(options.requests), "--keys", String(options.keys)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard let report = try JSONSerialization.jsonObject(with: output) as? [String: Any], (report["errors"] as? Int) == 0 else {
        throw NSError(domain: "NodeLoad failed: \(String(decoding: output, as: UTF8.self))", code: 1)
    }
    return ["ops": report["opsPerSecond"] as? Double ?? 0, "p50": report["p50us"] as? Double ?? 0, "p99": report["p99us"] as? Double ?? 0]
}

/// Delivers `blocks` one after another, each once the last is validated and stored. Counts
/// those done before `stop` is set, and delivers the rest after, uncounted, so that the next
/// round's blocks find their parent.
final class Feeder: @unchecked Sendable {
    let lock = NSLock()
    var stop = false
    var delivered = 0
    var seconds = 0.0
    var ranOut = false

    /// On a thread of its own, so that nothing here waits for the concurrency pool.
    func run(_ blocks: [Block]) {
        let started = Date()
        let settled = DispatchSemaphore(value: 0)
        var counting = true
        for block in blocks {
            node.receive(.received(peer, .block(BlockMessage(block))))
            // A read through the owner's queue: answered once the block is validated and stored.
            node.block(hash: nil, height: nil) { _ in settled.signal() }
            settled.wait()
            guard counting else { continue }
            lock.withLock {
                if stop {
                    counting = false
                } else {
                    delivered += 1
                    seconds = Date().timeIntervalSince(started)
                }
            }
        }
        lock.withLock { ranOut = !stop }
    }
}

var idle: [[String: Double]] = [], loaded: [[String: Double]] = [], rates: [Double] = []
var ranOut = false
for round in 0..<options.rounds {
    idle.append(try measure())
    let feeder = Feeder()
    let finished = DispatchSemaphore(value: 0)
    let blocks = rounds[round]
    Thread { feeder.run(blocks); finished.signal() }.start()
    // The first block under way before the clock starts.
    usleep(20_000)
    loaded.append(try measure())
    feeder.lock.withLock { feeder.stop = true }
    finished.wait()
    if feeder.ranOut { ranOut = true }
    let expected = UInt32(seed.count + (round + 1) * options.blocksPerRound)
    guard node.view.height == expected else {
        FileHandle.standardError.write(Data("round \(round + 1): the node is at height \(node.view.height), not \(expected): a block was refused\n".utf8))
        exit(1)
    }
    rates.append(Double(feeder.delivered * 1_000) / max(feeder.seconds, 1e-9))
    FileHandle.standardError.write(Data(String(format: "round %d: idle p50 %.0f p99 %.0f us; loaded p50 %.0f p99 %.0f us; %d blocks validated (%.0f tx/s)\n",
                                               round + 1, idle[round]["p50"]!, idle[round]["p99"]!, loaded[round]["p50"]!, loaded[round]["p99"]!,
                                               feeder.delivered, rates[round]).utf8))
}
server.stop()
await node.shutdown()

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let idleP99 = median(idle.map { $0["p99"]! }), loadedP99 = median(loaded.map { $0["p99"]! })
let report: [String: Any] = [
    "idleP50us": median(idle.map { $0["p50"]! }), "idleP99us": idleP99,
    "loadedP50us": median(loaded.map { $0["p50"]! }), "loadedP99us": loadedP99,
    "p99Ratio": loadedP99 / max(idleP99, 1e-9), "validatedTxPerSecond": median(rates),
    "idleOpsPerSecond": median(idle.map { $0["ops"]! }), "loadedOpsPerSecond": median(loaded.map { $0["ops"]! }),
    "blocksRanOut": ranOut,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
