import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Compact blocks between this node and its peers (docs/PROTOCOL.md §9.3), one story each:
/// what is sent to whom, a block rebuilt from the mempool, the missing puts asked for, answers
/// that do not fit, and the peers asked to push.
@Suite struct CompactBlockRelayTests {
    static func address(_ index: Int) -> PeerAddress { PeerAddress(ipv4: 10, 0, 1, UInt8(index), port: 50_000) }

    /// A fixture with ready peers 1...count; those in `compact` sent `sendcmpct` (with high
    /// bandwidth if in `pushed`).
    static func fixture(peers count: Int, compact: Set<Int>, pushed: Set<Int> = [], pushBytes: Int = 8_192) throws -> ProtocolFixture {
        let fixture = try ProtocolFixture { $0.compactBlockPushBytes = pushBytes }
        for index in 1...count {
            let peer = PeerID(UInt64(index))
            _ = fixture.handle(.connected(peer, outbound: false, address: Self.address(index)))
            let actions = fixture.handshake(peer, id: UInt64(100 + index))
            #expect(actions.contains(.send(peer, .sendCompact(SendCompactMessage(highBandwidth: false)))), "each ready link is offered compact blocks")
            if compact.contains(index) {
                _ = fixture.handle(.received(peer, .sendCompact(SendCompactMessage(highBandwidth: pushed.contains(index)))))
            }
        }
        return fixture
    }

    static func puts(_ count: Int, tag: String) throws -> [Transaction] {
        let author = try TestNetwork.identity(0x41)
        return try (0..<count).map { try TestNetwork.put("cb/\(tag)/\($0)", "value", by: author) }
    }

    static func compactSent(_ actions: [ProtocolAction], to peer: Int) -> CompactBlockMessage? {
        ProtocolFixture.sends(actions).compactMap { sent in
            if sent.0 == PeerID(UInt64(peer)), case let .compactBlock(message) = sent.1 { message } else { nil }
        }.first
    }

    /// A small block this node mined goes as a compact block to the peers that take them, with
    /// the puts admitted in the last 200 ms sent whole to all but the peer each came from; a
    /// peer that does not take compact blocks gets the header.
    @Test func aSmallNewTipGoesCompactToPeersThatTakeIt() throws {
        let fixture = try Self.fixture(peers: 3, compact: [1, 2])
        let puts = try Self.puts(4, tag: "small")
        for put in puts.prefix(2) { _ = fixture.handle(.submitted(put)) }
        fixture.clock.advance(by: 300)
        _ = fixture.handle(.received(PeerID(1), .tx(TransactionMessage(puts[2]))))
        _ = fixture.handle(.submitted(puts[3]))
        let block = TestNetwork.mine(on: fixture.chain.parameters.genesisBlock.header, transactions: puts, parameters: fixture.chain.parameters)
        let sealed = fixture.handle(.sealed(block))
        let toFirst = try #require(Self.compactSent(sealed, to: 1))
        #expect(toFirst.header == block.header)
        #expect(toFirst.prefilled.map(\.index) == [3] && toFirst.shortIDs.count == 3)
        #expect(try #require(Self.compactSent(sealed, to: 2)).prefilled.map(\.index) == [2, 3])
        #expect(sealed.contains(.send(PeerID(3), .headers(HeadersMessage(headers: [block.header])))))
        #expect(Self.compactSent(sealed, to: 3) == nil)
    }

    /// Past 8 KB, only the peers that asked for pushes get the compact block.
    @Test func aLargeNewTipGoesCompactOnlyToPeersThatAskedForPushes() throws {
        let fixture = try Self.fixture(peers: 2, compact: [1, 2], pushed: [2])
        let puts = try Self.puts(80, tag: "large")
        for put in puts { _ = fixture.handle(.submitted(put)) }
        let block = TestNetwork.mine(on: fixture.chain.parameters.genesisBlock.header, transactions: puts, parameters: fixture.chain.parameters)
        let sealed = fixture.handle(.sealed(block))
        #expect(try #require(Self.compactSent(sealed, to: 2)).encodedSize > 8_192)
        #expect(Self.compactSent(sealed, to: 1) == nil)
        #expect(sealed.contains(.send(PeerID(1), .headers(HeadersMessage(headers: [block.header])))))
    }

    /// A compact block whose puts are all in the mempool connects at once, with no request.
    @Test func aBlockWhosePutsAreHeldConnectsAtOnce() throws {
        let fixture = try Self.fixture(peers: 1, compact: [1])
        let puts = try Self.puts(4, tag: "held")
        for put in puts { _ = fixture.handle(.submitted(put)) }
        let block = TestNetwork.mine(on: fixture.chain.parameters.genesisBlock.header, transactions: puts, parameters: fixture.chain.parameters)
        let actions = fixture.handle(.received(PeerID(1), .compactBlock(CompactBlockMessage(block: block, nonce: 9))))
        #expect(fixture.chain.height == 1 && fixture.chain.tip.hash == block.hash)
        #expect(!ProtocolFixture.sends(actions).contains { if case .getData = $0.1 { true } else if case .getBlockTransactions = $0.1 { true } else { false } })
        #expect(fixture.node.awaitsBetterBlock == false)
    }

    /// Puts the node lacks are asked for by position; the answer completes the block.
    @Test func missingPutsAreAskedForAndTheAnswerCompletesTheBlock() throws {
        let fixture = try Self.fixture(peers: 1, compact: [1])
        let puts = try Self.puts(5, tag: "missing")
        for put in puts where put != puts[1] && put != puts[3] { _ = fixture.handle(.submitted(put)) }
        let block = TestNetwork.mine(on: fixture.chain.parameters.genesisBlock.header, transactions: puts, parameters: fixture.chain.parameters)
        let asked = fixture.handle(.received(PeerID(1), .compactBlock(CompactBlockMessage(block: block, nonce: 10))))
        #expect(asked.contains(.send(PeerID(1), .getBlockTransactions(GetBlockTransactionsMessage(block: block.hash, indexes: [1, 3])))))
        #expect(fixture.chain.height == 0 && fixture.node.awaitsBetterBlock)
        // Nothing else fetches it meanwhile: no getdata for the block.
        fixture.clock.advance(by: 100)
        #expect(!ProtocolFixture.sends(fixture.handle(.tick)).contains { if case .getData = $0.1 { true } else { false } })
        _ = fixture.handle(.received(PeerID(1), .blockTransactions(BlockTransactionsMessage(block: block.hash, transactions: [puts[1], puts[3]]))))
        #expect(fixture.chain.tip.hash == block.hash)
    }

    /// A `blocktxn` with the wrong number of puts is a violation; one nobody asked for is ignored.
    @Test func anAnswerThatDoesNotFitBansItsSender() throws {
        let fixture = try Self.fixture(peers: 2, compact: [1, 2])
        let puts = try Self.puts(3, tag: "unfit")
        let block = TestNetwork.mine(on: fixture.chain.parameters.genesisBlock.header, transactions: puts, parameters: fixture.chain.parameters)
        let unasked = fixture.handle(.received(PeerID(2), .blockTransactions(BlockTransactionsMessage(block: block.hash, transactions: puts))))
        #expect(ProtocolFixture.disconnects(unasked).isEmpty)
        _ = fixture.handle(.received(PeerID(1), .compactBlock(CompactBlockMessage(block: block, nonce: 11))))
        let wrong = fixture.handle(.received(PeerID(1), .blockTransactions(BlockTransactionsMessage(block: block.hash, transactions: [puts[0]]))))
        let cut = ProtocolFixture.disconnects(wrong)
        #expect(cut.count == 1 && cut[0].0 == PeerID(1) && cut[0].2, "\(cut)")
        #expect(fixture.chain.height == 0)
    }

    /// A rebuilt block whose merkle root does not match is fetched whole, and nobody is blamed.
    @Test func aRebuiltBlockThatMissesItsMerkleRootIsFetchedWhole() throws {
        let fixture = try Self.fixture(peers: 1, compact: [1])
        let puts = try Self.puts(3, tag: "root")
        let block = TestNetwork.mine(on: fixture.chain.parameters.genesisBlock.header, transactions: puts, parameters: fixture.chain.parameters)
        var compact = CompactBlockMessage(block: block, nonce: 12, prefilling: [0, 1, 2])
        // The prefilled puts in another order: whole, but not this header's block.
        compact.prefilled = [compact.prefilled[1], compact.prefilled[0], compact.prefilled[2]].enumerated().map {
            PrefilledTransaction(index: $0.offset, transaction: $0.element.transaction)
        }
        let actions = fixture.handle(.received(PeerID(1), .compactBlock(compact)))
        #expect(ProtocolFixture.disconnects(actions).isEmpty)
        #expect(actions.contains(.send(PeerID(1), .getData(GetDataMessage([InventoryItem(.block, block.hash)])))))
    }

    /// `getblocktxn` is answered for a recent block; a position past its end is a violation.
    @Test func getBlockTransactionsIsAnsweredOrRefused() throws {
        let fixture = try Self.fixture(peers: 2, compact: [1, 2])
        let puts = try Self.puts(3, tag: "serve")
        for put in puts { _ = fixture.handle(.submitted(put)) }
        let block = TestNetwork.mine(on: fixture.chain.parameters.genesisBlock.header, transactions: puts, parameters: fixture.chain.parameters)
        _ = fixture.handle(.sealed(block))
        _ = fixture.handle(.mined(block))
        let answer = fixture.handle(.received(PeerID(1), .getBlockTransactions(GetBlockTransactionsMessage(block: block.hash, indexes: [0, 2]))))
        #expect(answer.contains(.send(PeerID(1), .blockTransactions(BlockTransactionsMessage(block: block.hash, transactions: [puts[0], puts[2]])))))
        let past = fixture.handle(.received(PeerID(2), .getBlockTransactions(GetBlockTransactionsMessage(block: block.hash, indexes: [3]))))
        #expect(ProtocolFixture.disconnects(past).first?.2 == true)
    }

    /// The peers that bring a new tip first are asked to push, three at most: a fourth
    /// displaces the one asked longest ago. Only blocks too large to be pushed to everyone
    /// count (here past 110 bytes: an empty block is 104, one with two puts 116); small ones
    /// change nothing.
    @Test func theLatestThreePeersToBringANewTipAreAskedToPush() throws {
        let fixture = try Self.fixture(peers: 4, compact: [1, 2, 3, 4], pushBytes: 110)
        var parent = fixture.chain.parameters.genesisBlock.header
        let small = TestNetwork.mine(on: parent, transactions: [], parameters: fixture.chain.parameters)
        #expect(!ProtocolFixture.sends(fixture.handle(.received(PeerID(4), .block(BlockMessage(small))))).contains {
            if case .sendCompact = $0.1 { true } else { false }
        })
        parent = small.header
        var asked: [[(PeerID, Message)]] = []
        for index in 1...4 {
            let puts = try Self.puts(2, tag: "source\(index)")
            let block = TestNetwork.mine(on: parent, transactions: puts, parameters: fixture.chain.parameters)
            asked.append(ProtocolFixture.sends(fixture.handle(.received(PeerID(UInt64(index)), .block(BlockMessage(block)))))
                .filter { if case .sendCompact = $0.1 { true } else { false } })
            parent = block.header
        }
        #expect(asked[0].map(\.0) == [PeerID(1)] && asked[0].first?.1 == .sendCompact(SendCompactMessage(highBandwidth: true)))
        #expect(asked[2].map(\.0) == [PeerID(3)])
        #expect(asked[3].count == 2)
        #expect(asked[3].contains { $0.0 == PeerID(4) && $0.1 == .sendCompact(SendCompactMessage(highBandwidth: true)) })
        #expect(asked[3].contains { $0.0 == PeerID(1) && $0.1 == .sendCompact(SendCompactMessage(highBandwidth: false)) })
    }
}

extension CompactBlockRelayTests {
    /// A miner may start on a compact block whose puts the mempool holds, before it is stored,
    /// as on a whole block; one with puts missing must wait for them.
    @Test func aMinerMayStartOnACompactBlockRebuiltAtOnce() throws {
        let fixture = try Self.fixture(peers: 1, compact: [1])
        let puts = try Self.puts(4, tag: "ahead")
        for put in puts.prefix(3) { _ = fixture.handle(.submitted(put)) }
        let parameters = fixture.chain.parameters
        let held = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: Array(puts.prefix(3)), parameters: parameters)
        let lacking = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: puts, parameters: parameters, timestampOffset: 2_000)
        let missing = ProtocolEvent.received(PeerID(1), .compactBlock(CompactBlockMessage(block: lacking, nonce: 13)))
        #expect(fixture.node.checkedTipExtension(in: missing) == nil)
        let event = ProtocolEvent.received(PeerID(1), .compactBlock(CompactBlockMessage(block: held, nonce: 14)))
        #expect(fixture.node.checkedTipExtension(in: event) == held)
        #expect(fixture.chain.height == 0, "checked, nothing connected")
        _ = fixture.handle(event)
        #expect(fixture.chain.tip.hash == held.hash)
    }

    /// So may it on one that the `blocktxn` answering its `getblocktxn` completes; an answer
    /// that does not fit is not offered to the miner, and the handling still bans its sender.
    @Test func aMinerMayStartOnACompactBlockItsBlockTransactionsComplete() throws {
        let fixture = try Self.fixture(peers: 2, compact: [1, 2])
        let puts = try Self.puts(4, tag: "completed")
        for put in puts.prefix(3) { _ = fixture.handle(.submitted(put)) }
        let parameters = fixture.chain.parameters
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: puts, parameters: parameters)
        let asked = ProtocolFixture.sends(fixture.handle(.received(PeerID(1), .compactBlock(CompactBlockMessage(block: block, nonce: 15)))))
        let request = try #require(asked.compactMap { if case let .getBlockTransactions(request) = $0.1 { request } else { nil } }.first)
        let answer = BlockTransactionsMessage(block: block.hash, transactions: request.indexes.map { block.transactions[$0] })
        let wrong = BlockTransactionsMessage(block: block.hash, transactions: [puts[0], puts[1]])
        #expect(fixture.node.checkedTipExtension(in: .received(PeerID(1), .blockTransactions(wrong))) == nil)
        #expect(fixture.node.checkedTipExtension(in: .received(PeerID(2), .blockTransactions(answer))) == nil, "not asked of peer 2")
        let event = ProtocolEvent.received(PeerID(1), .blockTransactions(answer))
        #expect(fixture.node.checkedTipExtension(in: event) == block)
        #expect(fixture.chain.height == 0, "checked, nothing connected")
        _ = fixture.handle(event)
        #expect(fixture.chain.tip.hash == block.hash)
    }

    static func blockRequests(_ actions: [ProtocolAction], to peer: Int) -> [InventoryItem] {
        ProtocolFixture.sends(actions).flatMap { sent -> [InventoryItem] in
            if sent.0 == PeerID(UInt64(peer)), case let .getData(request) = sent.1 { request.inventory.items.filter { $0.kind != .transaction } } else { [] }
        }
    }

    /// A block on the tip announced by header (BIP152's low bandwidth) is asked for as a
    /// compact block of a peer that takes them, whole of one that does not; one whose short
    /// ids rebuild the wrong puts is then fetched whole.
    @Test func aHeaderOnTheTipIsFetchedAsACompactBlock() throws {
        let fixture = try Self.fixture(peers: 2, compact: [1])
        let puts = try Self.puts(2, tag: "lb")
        _ = fixture.handle(.submitted(puts[0]))
        let parameters = fixture.chain.parameters
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [puts[0]], parameters: parameters)
        let asked = Self.blockRequests(fixture.handle(.received(PeerID(1), .headers(HeadersMessage(headers: [block.header])))), to: 1)
        #expect(asked == [InventoryItem(.compactBlock, block.hash)])
        _ = fixture.handle(.received(PeerID(1), .compactBlock(CompactBlockMessage(block: block, nonce: 3))))
        #expect(fixture.chain.tip.hash == block.hash)

        // Peer 2 never sent sendcmpct: its block comes whole.
        let next = TestNetwork.mine(on: block.header, transactions: [], parameters: parameters)
        #expect(Self.blockRequests(fixture.handle(.received(PeerID(2), .headers(HeadersMessage(headers: [next.header])))), to: 2)
            == [InventoryItem(.block, next.hash)])

        // A compact answer whose short id picks the wrong put (the mempool's other one): fetched whole.
        let other = try TestNetwork.put("cb/lb/other", "value", by: TestNetwork.identity(0x42))
        _ = fixture.handle(.submitted(other))
        let third = TestNetwork.mine(on: block.header, transactions: [puts[1]], parameters: parameters, timestampOffset: 1_000)
        #expect(Self.blockRequests(fixture.handle(.received(PeerID(1), .headers(HeadersMessage(headers: [third.header])))), to: 1)
            == [InventoryItem(.compactBlock, third.hash)])
        let hasher = CompactBlockMessage.shortIDHasher(header: third.header, nonce: 4)
        let misleading = CompactBlockMessage(header: third.header, nonce: 4, shortIDs: [CompactBlockMessage.shortID(of: other.id, hasher: hasher)], prefilled: [])
        #expect(Self.blockRequests(fixture.handle(.received(PeerID(1), .compactBlock(misleading))), to: 1) == [InventoryItem(.block, third.hash)])
        #expect(ProtocolFixture.disconnects(fixture.handle(.received(PeerID(1), .block(BlockMessage(third))))).isEmpty)
        #expect(fixture.chain.tip.hash == third.hash)
    }

    /// `getdata` for a compact block is answered with `cmpctblock` within 10 blocks of the tip,
    /// with the block deeper (BIP152), and with `notfound` for a block this node lacks.
    @Test func aCompactBlockRequestIsAnsweredNearTheTipOnly() throws {
        let fixture = try Self.fixture(peers: 1, compact: [1])
        let parameters = fixture.chain.parameters
        var blocks: [Block] = []
        var parent = parameters.genesisBlock.header
        for _ in 0..<12 {
            let block = TestNetwork.mine(on: parent, transactions: [], parameters: parameters)
            _ = fixture.handle(.received(PeerID(1), .block(BlockMessage(block))))
            blocks.append(block)
            parent = block.header
        }
        #expect(fixture.chain.height == 12)
        let unknown = Hash256(raw: Bytes32(w0: 7, w1: 7, w2: 7, w3: 7))
        let answer = ProtocolFixture.sends(fixture.handle(.received(PeerID(1), .getData(GetDataMessage(
            [InventoryItem(.compactBlock, blocks[11].hash), InventoryItem(.compactBlock, blocks[0].hash), InventoryItem(.compactBlock, unknown)])))))
        #expect(answer.count == 3)
        #expect(answer.first?.1 == .compactBlock(CompactBlockMessage(block: blocks[11], nonce: Self.nonce(answer.first?.1))))
        #expect(answer.dropFirst().first?.1 == .block(BlockMessage(blocks[0])))
        #expect(answer.last?.1 == .notFound(NotFoundMessage([InventoryItem(.compactBlock, unknown)])))
    }

    static func nonce(_ message: Message?) -> UInt64 {
        if case let .compactBlock(compact) = message { compact.nonce } else { 0 }
    }
}
