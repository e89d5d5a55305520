import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Relay under load: what the protocol remembers beyond its caps, and what it tells the miner.
@Suite struct RelayTests {
    static func address(_ index: Int) -> PeerAddress { PeerAddress(ipv4: 10, 0, 0, UInt8(index), port: 50_000) }

    /// Txids announced beyond the in-flight cap are queued and asked for once half the
    /// requests are answered, in one `getdata`, not forgotten until the next re-offer.
    @Test func txidsBeyondTheInFlightCapAreAskedForLater() throws {
        let fixture = try ProtocolFixture { $0.maxTransactionsInFlightPerPeer = 4 }
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address(1)))
        _ = fixture.handshake(PeerID(1), id: 1)
        let alice = try TestNetwork.identity(1)
        let puts = try (0..<10).map { try TestNetwork.put("k\($0)", "v", by: alice) }
        let asked = fixture.handle(.received(PeerID(1), .inv(InvMessage(puts.map { InventoryItem(.transaction, $0.id) }))))
        #expect(asked.contains(.send(PeerID(1), .getData(GetDataMessage(puts.prefix(4).map { InventoryItem(.transaction, $0.id) })))))
        // One answered: 3 still in flight, above half the cap; nothing more asked yet.
        let first = fixture.handle(.received(PeerID(1), .tx(TransactionMessage(puts[0]))))
        #expect(!first.contains { if case .send(_, .getData) = $0 { true } else { false } })
        // Two answered: 2 in flight, half the cap: the next 2 queued are asked for together.
        let second = fixture.handle(.received(PeerID(1), .tx(TransactionMessage(puts[1]))))
        #expect(second.contains(.send(PeerID(1), .getData(GetDataMessage(puts[4..<6].map { InventoryItem(.transaction, $0.id) })))))
    }

    /// A peer's block that a miner may start on before it is stored: only a ready peer's, only
    /// one that extends the tip and passes its checks; a block that fails is then refused by
    /// the handling exactly as before (the sender banned for the bad signature it sent).
    @Test func aMinerMayStartOnlyOnAReadyPeersCheckedChildOfTheTip() throws {
        let fixture = try ProtocolFixture()
        let parameters = fixture.chain.parameters
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address(1)))
        _ = fixture.handshake(PeerID(1), id: 1)
        _ = fixture.handle(.connected(PeerID(2), outbound: false, address: Self.address(2)))
        let alice = try TestNetwork.identity(1)
        let good = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [try TestNetwork.put("ahead", "1", by: alice)],
                                    parameters: parameters)
        let forged = Block(header: good.header, transactions: good.transactions.map { $0.withSignature(.zero) })
        let grandchild = TestNetwork.mine(on: good.header, transactions: [], parameters: parameters)
        let cases: [(String, ProtocolEvent, Block?)] = [
            ("a peer before its handshake", .received(PeerID(2), .block(BlockMessage(good))), nil),
            ("a block on a block not connected", .received(PeerID(1), .block(BlockMessage(grandchild))), nil),
            ("a body with bad signatures", .received(PeerID(1), .block(BlockMessage(forged))), nil),
            ("a header, not a block", .received(PeerID(1), .headers(HeadersMessage(headers: [good.header]))), nil),
            ("a ready peer's child of the tip", .received(PeerID(1), .block(BlockMessage(good))), good),
        ]
        for (name, event, expected) in cases {
            #expect(fixture.node.checkedTipExtension(in: event) == expected, "\(name)")
        }
        #expect(fixture.chain.height == 0, "checked, nothing connected")
        let refused = ProtocolFixture.disconnects(fixture.handle(.received(PeerID(1), .block(BlockMessage(forged)))))
        #expect(refused.count == 1 && refused.first?.1.contains("signature") == true && refused.first?.2 == true, "\(refused)")
    }

    /// A better block known by its header alone is what the miner waits for; once its body
    /// connects, nothing is awaited.
    @Test func aBetterHeaderWithoutItsBodyIsAwaited() throws {
        let fixture = try ProtocolFixture()
        let parameters = fixture.chain.parameters
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address(1)))
        _ = fixture.handshake(PeerID(1), id: 1)
        #expect(!fixture.node.awaitsBetterBlock)
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [], parameters: parameters)
        _ = fixture.handle(.received(PeerID(1), .headers(HeadersMessage(headers: [block.header]))))
        #expect(fixture.node.awaitsBetterBlock)
        _ = fixture.handle(.received(PeerID(1), .block(BlockMessage(block))))
        #expect(fixture.chain.height == 1)
        #expect(!fixture.node.awaitsBetterBlock)
    }

    /// A block this node mined is announced once it is stored, before it is connected, so
    /// that other miners stop racing it on its parent; connecting it then tells no one twice.
    @Test func aMinedBlockIsAnnouncedWhenStoredAndOnlyOnce() throws {
        let fixture = try ProtocolFixture()
        let parameters = fixture.chain.parameters
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address(1)))
        _ = fixture.handshake(PeerID(1), id: 1)
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [], parameters: parameters)
        let sealed = fixture.handle(.sealed(block))
        #expect(sealed.contains(.send(PeerID(1), .headers(HeadersMessage(headers: [block.header])))))
        #expect(fixture.chain.height == 0)
        let mined = fixture.handle(.mined(block))
        #expect(fixture.chain.height == 1)
        #expect(!mined.contains { if case .send(_, .headers) = $0 { true } else { false } })
        // A block that would not be the tip (a race lost meanwhile) is stored, not announced.
        let rival = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [], parameters: parameters, timestampOffset: 2_000)
        let late = fixture.handle(.sealed(rival))
        #expect(!late.contains { if case .send(_, .headers) = $0 { true } else { false } })
    }
}

extension RelayTests {
    /// A put announced to a peer and mined here before the peer asked for it is offered to
    /// that peer again when a reorganisation puts it back in the mempool: the peer never had
    /// it, and otherwise only this node could mine it (a devnet import once left 11,345 puts
    /// with the one node that had orphaned them, and the other miners sealed empty blocks).
    @Test func aPutMinedBeforeThePeerAskedIsOfferedAgainWhenItsBlockIsOrphaned() throws {
        let fixture = try ProtocolFixture()
        let parameters = fixture.chain.parameters
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address(1)))
        _ = fixture.handshake(PeerID(1), id: 1)
        let put = try TestNetwork.put("k", "v", by: try TestNetwork.identity(1))
        let offer = InvMessage([InventoryItem(.transaction, put.id)])
        _ = fixture.handle(.submitted(put))
        fixture.clock.advance(by: 1_000)
        #expect(fixture.handle(.tick).contains(.send(PeerID(1), .inv(offer))))
        // Mined here; the peer's request comes too late.
        let mined = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [put], parameters: parameters)
        _ = fixture.handle(.sealed(mined))
        _ = fixture.handle(.mined(mined))
        let asked = fixture.handle(.received(PeerID(1), .getData(GetDataMessage([InventoryItem(.transaction, put.id)]))))
        #expect(asked.contains(.send(PeerID(1), .notFound(NotFoundMessage([InventoryItem(.transaction, put.id)])))))
        // The peer's longer branch orphans the block: the put is back, and offered again.
        let first = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [], parameters: parameters, timestampOffset: 2_000)
        let second = TestNetwork.mine(on: first.header, transactions: [], parameters: parameters)
        _ = fixture.handle(.received(PeerID(1), .headers(HeadersMessage(headers: [first.header, second.header]))))
        _ = fixture.handle(.received(PeerID(1), .block(BlockMessage(first))))
        _ = fixture.handle(.received(PeerID(1), .block(BlockMessage(second))))
        #expect(fixture.chain.tip.hash == second.hash)
        #expect(fixture.chain.mempool.contains(put.id))
        fixture.clock.advance(by: 1_000)
        #expect(fixture.handle(.tick).contains(.send(PeerID(1), .inv(offer))))
    }
}
