import Foundation
import KeyChainClient
import KeyChainCore
import KeyChainNode
import KeyChainOwner
import KeyChainTestProcesses
import KeyChainTestSupport
import KeyChainWire
import Testing

/// KeyChain's p2p_invalid_messages, p2p_invalid_block, p2p_unrequested_blocks and
/// disconnect_ban, over real sockets: a hostile peer attacks node A of a two-node network while
/// node B's puts keep reaching A. Each attack is bounded and its connection dropped where the
/// protocol says so; A keeps its honest peer, and B's puts reach A within twice the time they
/// took before the attack (with a floor of one relay batch, 100 ms, below which loopback
/// timing is noise).
@Suite(.serialized) struct HostilePeerTests {
    enum Attack: String, CaseIterable, Sendable {
        /// 100 `inv`s of 1,000 unknown txids each, never delivered.
        case invFlood
        /// 20 `getdata`s of 1,000 unknown hashes each, and 20 asking for the tip 1,000 times.
        case getdataFlood
        /// 20 `addr`s of 1,000 addresses each.
        case addrFlood
        /// 50 `headers` of 1,000 headers each that connect to nothing A knows.
        case headersFlood
        /// 20 `reconcile`s of 50,000 made-up short ids, and 20 unasked `recondiff`s offering
        /// 10,000 unknown txids each.
        case reconcileFlood
        /// A header that does not meet the target.
        case headerWithoutWork
        /// A block whose body does not match its merkle root.
        case badMerkleRoot
        /// A block holding a put with a forged signature.
        case forgedSignature
        /// A block holding a put on a key another author owns.
        case someoneElsesKey
        /// Valid blocks on a branch from genesis with less work than A's chain, unasked for.
        case unrequestedLowWorkBlocks
        /// The header of a better block, announced and never delivered.
        case announcedNeverDelivered
        /// 150 connections at once from one address (A takes 16 from one host).
        case manyConnections
        /// 50 valid headers forking from height 5 of a chain 60 long: less work than A's.
        case lowWorkHeaderFork
    }

    @Test(arguments: Attack.allCases) func anAttackIsBoundedAndHonestPutsStillFlow(_ attack: Attack) async throws {
        let directory = try TemporaryDirectory()
        // A fixed difficulty: the attacks forge blocks at the genesis target (retargeting has
        // tests of its own, and a wrong target would be refused before the rule under attack).
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"), arguments: ["--difficulty", "12", "--fixed-difficulty"])
        var options = try NetworkNodeOptions(trackers: [tracker.address])
        // A chain long enough for a fork of 50 blocks to have less work, in a few seconds.
        if attack == .lowWorkHeaderFork { options.hashRate = 100_000 }
        let a = try await NodeProcess(dataDirectory: directory.file("a"), network: options)
        let b = try await NodeProcess(dataDirectory: directory.file("b"), network: NetworkNodeOptions(trackers: [tracker.address]))
        try await waitUntilConnected([a, b], peers: 1)
        let network = try Self.network(of: directory.file("a"))
        if attack == .lowWorkHeaderFork { try await eventually("A's chain to pass height 60") { try await a.status().height >= 60 } }
        let residentBefore = try HostileClientTests.residentBytes(a.pid)
        let peer = try HostilePeer(port: options.peerPort, network: network)
        let tip = try await a.status()
        let tipHeader = try await Self.header(of: a, height: tip.height, network: network)
        var extraConnections: [TCPConnection] = []
        var expectClosed = false
        var launched = false
        // Floods go again on every attempt; an invalid block is sent once (its sender is cut off).
        func launch() async throws {
            defer { launched = true }
            if launched && expectClosed { return }
            switch attack {
            case .invFlood:
                for round in 0..<100 {
                    peer.send(.inv(InvMessage((0..<1_000).map { InventoryItem(.transaction, Self.randomHash(round, $0)) })))
                }
            case .getdataFlood:
                for round in 0..<20 {
                    peer.send(.getData(GetDataMessage((0..<1_000).map { InventoryItem(.block, Self.randomHash(round, $0)) })))
                    peer.send(.getData(GetDataMessage(Array(repeating: InventoryItem(.block, tipHeader.hash), count: 1_000))))
                }
            case .addrFlood:
                for round in 0..<20 {
                    peer.send(.addr(AddrMessage((0..<1_000).map {
                        NetworkAddress(ipv4: 10, UInt8(round), UInt8($0 >> 8), UInt8(truncatingIfNeeded: $0), port: 7101, lastSeen: TestNetwork.createdAt)
                    })))
                }
            case .headersFlood:
                for round in 0..<50 {
                    peer.send(.headers(HeadersMessage(headers: (0..<1_000).map {
                        BlockHeader(previous: Self.randomHash(round, $0), merkleRoot: .zero, timestamp: tipHeader.timestamp, target: network.target.compact)
                    })))
                }
            case .reconcileFlood:
                for round in 0..<20 {
                    peer.send(.reconcile(ReconcileMessage(salt: UInt64(round), shortIDs: (0..<50_000).map { UInt64(round << 20 | $0) })))
                    peer.send(.reconcileDifference(ReconcileDifferenceMessage(salt: UInt64(round), wanted: [],
                                                                              offered: (0..<10_000).map { Self.randomHash(round, $0) })))
                }
            case .headerWithoutWork:
                let block = TestNetwork.mine(on: tipHeader, transactions: [], parameters: network)
                peer.send(.headers(HeadersMessage(headers: [TestNetwork.unsolve(block.header, target: network.target)])))
                expectClosed = true
            case .badMerkleRoot:
                let put = try TestNetwork.put("hostile/merkle", "x", by: try TestNetwork.identity(0x66))
                peer.send(.block(BlockMessage(TestNetwork.mine(on: tipHeader, transactions: [put], parameters: network, merkleRoot: Hash256(sha256d: [1])))))
                expectClosed = true
            case .forgedSignature:
                let honest = try TestNetwork.put("hostile/forged", "x", by: try TestNetwork.identity(0x67))
                let forged = try Transaction(key: honest.key, value: Array("y".utf8), author: honest.author, nonce: honest.nonce, signature: honest.signature)
                peer.send(.block(BlockMessage(TestNetwork.mine(on: tipHeader, transactions: [forged], parameters: network))))
                expectClosed = true
            case .someoneElsesKey:
                let owner = try await b.client()
                let claim = try await owner.put(key: "hostile/owned", value: Array("mine".utf8), signer: .node)
                guard case .confirmed = await claim.outcome else { Issue.record("the owner's put did not confirm"); return }
                await owner.close()
                try await waitUntilEveryNode([a], has: "hostile/owned", txids: [claim.txid.hex])
                let theft = try TestNetwork.put("hostile/owned", "stolen", by: try TestNetwork.identity(0x68))
                // Mined on A's tip as read: if a miner extends that tip before the block
                // arrives, it is a side branch, whose puts are not checked against the keys'
                // owners until it has the most work. So it is mined again on the new tip, a
                // few times at most, until A closes the connection.
                for _ in 0..<5 {
                    let parent = try await Self.header(of: a, height: try await a.status().height, network: network)
                    peer.send(.block(BlockMessage(TestNetwork.mine(on: parent, transactions: [theft], parameters: network))))
                    if await peer.isClosed(within: 5) { break }
                }
                expectClosed = true
            case .unrequestedLowWorkBlocks:
                try await eventually("A's chain to pass height 6") { try await a.status().height >= 6 }
                var parent = network.genesisBlock.header
                for offset in 0..<3 {
                    let block = TestNetwork.mine(on: parent, transactions: [], parameters: network, timestampOffset: 7 + UInt64(offset))
                    peer.send(.block(BlockMessage(block)))
                    parent = block.header
                }
            case .announcedNeverDelivered:
                let block = TestNetwork.mine(on: tipHeader, transactions: [], parameters: network, timestampOffset: 1)
                peer.send(.headers(HeadersMessage(headers: [block.header])))
            case .lowWorkHeaderFork:
                var parent = try await Self.header(of: a, height: 5, network: network)
                var headers: [BlockHeader] = []
                for _ in 0..<50 {
                    let block = TestNetwork.mine(on: parent, transactions: [], parameters: network, timestampOffset: 3)
                    headers.append(block.header)
                    parent = block.header
                }
                peer.send(.headers(HeadersMessage(headers: headers)))
            case .manyConnections:
                for _ in 0..<150 { if let connection = try? TCPConnection(port: options.peerPort, timeoutSeconds: 5) { extraConnections.append(connection) } }
            }
        }

        // Relay times on a shared machine jump with whatever else runs: an attempt whose times
        // do not meet the bound is made again (up to three), each with its own baseline just
        // before. An attack that really slows relay fails all three.
        var (before, during) = ([Double](), [Double]())
        for _ in 0..<3 {
            before = try await Self.relayTimes(from: b, to: a, count: 3)
            try await launch()
            during = try await Self.relayTimes(from: b, to: a, count: 3)
            if Self.median(during) <= max(2 * Self.median(before), Self.median(before) + 0.1) { break }
        }
        let limit = max(2 * Self.median(before), Self.median(before) + 0.1)
        #expect(Self.median(during) <= limit, "\(attack): B's puts took \(Self.median(during)) s to reach A, against \(Self.median(before)) s before")
        let grown = (try HostileClientTests.residentBytes(a.pid) - residentBefore) >> 20
        #expect(grown < 200, "\(attack): A grew by \(grown) MB")
        print("hostile peer \(attack.rawValue): honest put relay \(Int(Self.median(before) * 1000)) ms before, \(Int(Self.median(during) * 1000)) ms during; A grew \(grown) MB")
        if expectClosed { #expect(await peer.isClosed(), "\(attack): A kept the connection") }
        #expect(a.isRunning)
        #expect(try await a.status().peers >= 1, "\(attack): A lost its honest peer")
        if attack == .unrequestedLowWorkBlocks || attack == .announcedNeverDelivered || attack == .lowWorkHeaderFork {
            // A stays on the honest chain, and keeps moving with it.
            let mark = try await a.status().height
            try await eventually("A's chain to grow past \(mark + 1) with B's") {
                let (ours, theirs) = (try await a.status(), try await b.status())
                return ours.height > mark + 1 && ours.tip == theirs.tip
            }
        }
        if attack == .manyConnections {
            #expect(a.log.contains("holds 16 inbound connections already"), "A did not cap one host's connections")
        }
        extraConnections.removeAll()
        for node in [a, b] { try await node.stop() }
        try await tracker.stop()
    }

    /// A peer that never speaks and one that sends its version a byte a second both hold an
    /// inbound slot only until the handshake timeout (60 s); honest puts flow meanwhile.
    @Test func silentAndSlowPeersAreClosedAtTheHandshakeTimeout() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        let options = try NetworkNodeOptions(trackers: [tracker.address])
        let a = try await NodeProcess(dataDirectory: directory.file("a"), network: options)
        let b = try await NodeProcess(dataDirectory: directory.file("b"), network: NetworkNodeOptions(trackers: [tracker.address]))
        try await waitUntilConnected([a, b], peers: 1)
        let network = try Self.network(of: directory.file("a"))
        let before = try await Self.relayTimes(from: b, to: a, count: 3)

        let begin = Date()
        let silent = try TCPConnection(port: options.peerPort, timeoutSeconds: 90)
        let slow = try TCPConnection(port: options.peerPort, timeoutSeconds: 90)
        let version = Frame.encode(.version(VersionMessage(genesis: network.genesisHash, bestHeight: 0, listenPort: 0, nodeID: 77,
                                                            timestamp: UInt64(Date().timeIntervalSince1970 * 1000))), magic: Frame.magic(for: network.genesisHash))
        var during: [Double] = []
        var slowClosedAfter: Double?
        for (index, byte) in version.enumerated() where Date().timeIntervalSince(begin) < 90 {
            guard slow.trySend([byte]) else { slowClosedAfter = Date().timeIntervalSince(begin); break }
            if index % 20 == 10 { during += try await Self.relayTimes(from: b, to: a, count: 1) }
            try await Task.sleep(for: .seconds(1))
        }
        let slowClosed = try #require(slowClosedAfter, "the slow peer was never closed")
        #expect(slowClosed >= 55 && slowClosed <= 75, "the slow peer was closed after \(slowClosed) s")
        #expect(await silent.readUntilClosed().closed, "the silent peer was never closed")
        #expect(Date().timeIntervalSince(begin) <= 90)
        let limit = max(2 * Self.median(before), Self.median(before) + 0.1)
        #expect(!during.isEmpty && Self.median(during) <= limit, "B's puts took \(during) s to reach A, against \(Self.median(before)) s before")
        print("hostile peer slowAndSilent: closed after \(Int(slowClosed)) s; honest put relay \(Int(Self.median(before) * 1000)) ms before, \(Int(Self.median(during) * 1000)) ms during")
        #expect(try await a.status().peers >= 1)
        for node in [a, b] { try await node.stop() }
        try await tracker.stop()
    }

    // MARK: - Helpers

    /// The network a node pinned, read as `--genesis` reads it (the node holds its data directory's lock).
    static func network(of data: String) throws -> NetworkParameters {
        try GenesisSource.read((data as NSString).appendingPathComponent("network.params"))
    }

    /// The header at `height` on `node`'s best chain, rebuilt from its `block` answer.
    static func header(of node: NodeProcess, height: UInt32, network: NetworkParameters) async throws -> BlockHeader {
        let client = try await node.client()
        defer { Task { await client.close() } }
        let block = try await client.block(height: height)
        let header = BlockHeader(version: block.version, previous: try #require(Hash256(hex: block.previous)),
                                 merkleRoot: try #require(Hash256(hex: block.merkleRoot)), timestamp: block.timestamp,
                                 target: try #require(UInt32(block.target, radix: 16)), nonce: block.nonce)
        #expect(header.hash.hex == block.hash, "the rebuilt header is not the block's")
        return header
    }

    /// Seconds from a put on `from` until `to` knows it, `count` times.
    static func relayTimes(from: NodeProcess, to: NodeProcess, count: Int) async throws -> [Double] {
        let writer = try await from.client()
        let reader = try await to.client()
        defer { Task { await writer.close(); await reader.close() } }
        var times: [Double] = []
        for _ in 0..<count {
            let begin = Date()
            let receipt = try await writer.put(key: "relay/\(UUID().uuidString.prefix(8))", value: Array("probe".utf8), signer: .node)
            try await eventually("the probe put on the other node", seconds: 30) { (try? await reader.transaction(receipt.txid)) != nil }
            times.append(Date().timeIntervalSince(begin))
        }
        return times
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func randomHash(_ round: Int, _ index: Int) -> Hash256 { Hash256(sha256d: Array("\(round)/\(index)".utf8)) }
}

/// A peer that completes the handshake and then sends what a test tells it to.
final class HostilePeer {
    private let connection: TCPConnection
    private let magic: UInt32

    init(port: Int, network: NetworkParameters) throws {
        connection = try TCPConnection(port: port, timeoutSeconds: 15)
        magic = Frame.magic(for: network.genesisHash)
        send(.version(VersionMessage(genesis: network.genesisHash, bestHeight: 0, listenPort: 0, nodeID: .random(in: 1 ... .max),
                                     timestamp: UInt64(Date().timeIntervalSince1970 * 1000))))
        send(.verack)
    }

    func send(_ message: Message) { connection.send(Frame.encode(message, magic: magic)) }

    /// Whether the node closes the connection (reading and discarding what it sends) within
    /// the connection's timeout.
    func isClosed() async -> Bool { await connection.readUntilClosed().closed }

    /// Whether the node closes the connection within `seconds`.
    func isClosed(within seconds: Double) async -> Bool { await connection.readUntilClosed(seconds: seconds).closed }
}
