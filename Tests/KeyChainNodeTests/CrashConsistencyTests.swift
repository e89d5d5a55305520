import Foundation
import KeyChainChain
import KeyChainClient
import KeyChainCore
import KeyChainOwner
import KeyChainP2P
import KeyChainStore
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// KeyChain's feature_dbcrash: a node killed with SIGKILL at seeded moments of a write load,
/// and of a sync, restarted each time. Every put acknowledged as confirmed must be there with
/// its whole history; the key index loaded from the checkpoint must equal one rebuilt from the
/// blocks; every stored block must be the one its hash names.
@Suite(.serialized) struct CrashConsistencyTests {
    /// A fixed seed: a failure replays with the same kill moments.
    static let seed: UInt64 = 0x6B63_6372_6173_6831

    @Test func twentyKillsDuringWritesLoseNoConfirmedPut() async throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("node")
        var random = SeededGenerator(seed: Self.seed)
        let author = try TestNetwork.identity(0x51)
        let keys = (0..<25).map { "crash/k\($0)" }
        var ledger = Ledger()
        var written = 0
        for round in 0..<20 {
            let node = try await NodeProcess(dataDirectory: data)
            try await ledger.expectPresent(on: node, round: round)
            let client = try await node.client()
            let killAfter = Duration.milliseconds(Int64(100 + random.next() % 500))
            let first = written
            let writer = Task {
                var receipts: [(key: String, receipt: PutReceipt)] = []
                var attempted: [(key: String, value: String)] = []
                var index = first
                while !Task.isCancelled {
                    let key = keys[index % keys.count]
                    let value = "round \(round) put \(index)"
                    // Recorded before it is sent: the node may store a put whose reply the kill cut off.
                    attempted.append((key, value))
                    index += 1
                    guard let receipt = try? await client.put(key: key, value: Array(value.utf8), signer: .identity(author)) else { break }
                    receipts.append((key, receipt))
                }
                return (receipts, attempted)
            }
            try await Task.sleep(for: killAfter)
            // The kill lands wherever the node is: admitting a put, sealing, writing a block.
            kill(node.pid, SIGKILL)
            _ = try await node.exitStatus()
            writer.cancel()
            // An outcome that says confirmed came from the node before it died.
            let (receipts, attempted) = await writer.value
            for (key, value) in attempted { ledger.attempted(value, key: key) }
            for (key, receipt) in receipts {
                let outcome = await receipt.outcome
                if case .confirmed = outcome { ledger.confirmed(receipt.txid.hex, key: key) } else { ledger.submitted(receipt.txid.hex, key: key) }
            }
            written += attempted.count
            await client.close()
        }
        let node = try await NodeProcess(dataDirectory: data)
        try await ledger.expectPresent(on: node, round: 20)
        kill(node.pid, SIGKILL)
        _ = try await node.exitStatus()
        let checked = ledger.confirmedCount
        #expect(checked >= 100, "only \(checked) puts were confirmed over 20 rounds: the load did not load")
        print("crash consistency: \(checked) acknowledged puts checked after 20 kills, \(written) submitted")
        try StoredChain.expectConsistent(data)
    }

    @Test func killsDuringASyncLoseNothingAndTheSyncFinishes() async throws {
        let directory = try TemporaryDirectory()
        // A fixed difficulty: retargeting would slow the few hundred blocks wanted in seconds.
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"), arguments: ["--difficulty", "12", "--fixed-difficulty"])
        var source = try NetworkNodeOptions(trackers: [tracker.address])
        source.hashRate = 400_000  // a few hundred blocks in seconds at the tracker's 12 bits
        let origin = try await NodeProcess(dataDirectory: directory.file("origin"), network: source)
        let author = try TestNetwork.identity(0x52)
        let client = try await origin.client()
        var receipts: [PutReceipt] = []
        let keys = (0..<40).map { "sync/k\($0)" }
        for index in 0..<300 {
            receipts.append(try await client.put(key: keys[index % keys.count], value: Array("\(index)".utf8), signer: .identity(author)))
        }
        for receipt in receipts {
            guard case .confirmed = await receipt.outcome else { Issue.record("put \(receipt.txid) not confirmed on the origin"); return }
        }
        await client.close()
        // Enough blocks that the follower's sync outlasts the test's polls even on a loaded
        // machine: with 300, a loaded CI run once saw the whole chain synced before the first.
        try await eventually("the origin to hold 900 blocks") { try await origin.status().height >= 900 }
        try await origin.stop()
        // The origin stops mining, so that the chain the syncing node chases stands still.
        var still = source
        still.mine = false
        let server = try await NodeProcess(dataDirectory: directory.file("origin"), network: still)
        let target = try await server.status().height

        var random = SeededGenerator(seed: Self.seed ^ 0x5359_4E43)
        let follower = try NetworkNodeOptions(peers: [still.peerAddress], mine: false, extra: ["--genesis", directory.file("origin/network.params")])
        var kills = 0
        for _ in 0..<8 {
            let syncing = try await NodeProcess(dataDirectory: directory.file("follower"), network: follower)
            let begin = try await syncing.status().height
            guard begin < target else { try await syncing.stop(); break }
            // Killed once it has taken a seeded share of what is left, mid-stream: a small share
            // (3-15%), so that the poll that sees it taken comes while most of the sync is still
            // ahead (with 10-50% a fresh CI run saw a follower finish between two polls).
            let share = UInt32(3 + random.next() % 13)
            let killAt = begin + max((target - begin) * share / 100, 1)
            try await eventually("the follower to pass height \(killAt)") { try await syncing.status().height >= killAt }
            if try await syncing.status().height >= target { try await syncing.stop(); break }
            kill(syncing.pid, SIGKILL)
            _ = try await syncing.exitStatus()
            kills += 1
            print("crash consistency: follower killed mid-sync after height \(killAt) of \(target)")
        }
        #expect(kills >= 3, "the sync finished before the kills landed")
        let syncing = try await NodeProcess(dataDirectory: directory.file("follower"), network: follower)
        try await eventually("the follower to reach the origin's tip") { try await syncing.status().tip == (try await server.status().tip) }
        for key in keys {
            #expect(try await syncing.history(key).map(\.txid) == (try await server.history(key).map(\.txid)))
        }
        kill(syncing.pid, SIGKILL)
        _ = try await syncing.exitStatus()
        try StoredChain.expectConsistent(directory.file("follower"))
        try await server.stop()
        try await tracker.stop()
    }
}

/// What the writer submitted and what the node acknowledged as confirmed, per key in order.
private struct Ledger {
    private var submittedByKey: [String: [String]] = [:]
    private var attemptedValues: [String: Set<String>] = [:]
    private var confirmedSet: Set<String> = []

    /// A value sent for `key`, whether or not a reply came.
    mutating func attempted(_ value: String, key: String) { attemptedValues[key, default: []].insert(value) }

    var confirmedCount: Int { confirmedSet.count }

    /// A put sent whose outcome was not a confirmation: it may or may not be in the chain.
    mutating func submitted(_ txid: String, key: String) { submittedByKey[key, default: []].append(txid) }

    /// A put the node acknowledged as confirmed: it must be in the chain from now on.
    mutating func confirmed(_ txid: String, key: String) {
        submitted(txid, key: key)
        confirmedSet.insert(txid)
    }

    /// Every confirmed put is in its key's history, in the order submitted, and the history
    /// holds no value this test did not send.
    func expectPresent(on node: NodeProcess, round: Int) async throws {
        for (key, submitted) in submittedByKey {
            let versions = try await node.history(key)
            let sent = attemptedValues[key] ?? []
            #expect(versions.allSatisfy { sent.contains($0.value) }, "round \(round): \(key) holds a version nobody wrote")
            let history = versions.map(\.txid)
            let confirmedInOrder = submitted.filter(confirmedSet.contains)
            var position = history.startIndex
            for txid in confirmedInOrder {
                guard let found = history[position...].firstIndex(of: txid) else {
                    Issue.record("round \(round): confirmed put \(txid) of \(key) is missing or out of order after the crash")
                    break
                }
                position = history.index(after: found)
            }
        }
    }
}

/// Checks on a stopped node's data directory, read in this process.
enum StoredChain {
    /// The key index loaded (its database plus the blocks replayed after it) equals the one
    /// rebuilt from every block, and every block on the best chain reads back intact.
    static func expectConsistent(_ data: String) throws {
        let network = try #require(try NodeDataDirectory(path: data).storedNetwork())
        let loaded = try TemporaryDirectory()
        let rebuilt = try TemporaryDirectory()
        // The blocks and the key index's database only: the data directory also holds the dead
        // node's socket, which is not a file to copy.
        for copy in [loaded, rebuilt] {
            try FileManager.default.copyItem(atPath: (data as NSString).appendingPathComponent("blocks"), toPath: copy.file("blocks"))
        }
        for file in ["keyindex.sqlite", "keyindex.sqlite-wal"] {
            let path = (data as NSString).appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.copyItem(atPath: path, toPath: loaded.file(file)) }
        }
        let loadedChain = try Blockchain(parameters: network, storage: try SegmentBlockStore(dataDirectory: loaded.path))
        let fromBlocks = try Blockchain(parameters: network, storage: try SegmentBlockStore(dataDirectory: rebuilt.path))
        #expect(loadedChain.tip.hash == fromBlocks.tip.hash)
        #expect(fromBlocks.blocksReplayedAtOpen == Int(fromBlocks.height), "the rebuild did not replay every block")
        #expect(loadedChain.keyIndex.keyCount == fromBlocks.keyIndex.keyCount)
        #expect(loadedChain.keyIndex.transactionCount == fromBlocks.keyIndex.transactionCount)
        #expect(try everything(loadedChain.keyIndex) == everything(fromBlocks.keyIndex), "the loaded key index differs from the one the blocks give")
        #expect(try loadedChain.block(atHeight: 0)?.hash == network.genesisHash)
        // Genesis commits to the network's parameters, not to transactions: from height 1.
        for height in 1...max(loadedChain.height, 1) where height <= loadedChain.height {
            let block = try #require(try loadedChain.block(atHeight: height))
            #expect(block.hash == loadedChain.tree.activeNode(at: height)?.hash)
            #expect(MerkleTree.root(block.transactions.map(\.id)) == block.header.merkleRoot, "block \(height) reads back corrupt")
        }
    }

    /// Every key's history, listed page by page as a client would.
    static func everything(_ index: KeyIndex) throws -> [String: [KeyVersion]] {
        var histories: [String: [KeyVersion]] = [:]
        var after: String?
        while true {
            let page = try index.keys(prefix: "", after: after, limit: 1_000)
            for key in page { histories[key] = try index.versions(of: key) }
            guard page.count == 1_000 else { return histories }
            after = page.last
        }
    }
}
