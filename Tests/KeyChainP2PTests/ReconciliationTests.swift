import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Put relay that costs less than flooding: announcements to outbound peers only,
/// reconciliation rounds as the safety net, and headers asked for only while the tip stalls.
@Suite struct ReconciliationTests {
    static func address(_ index: Int) -> PeerAddress { PeerAddress(ipv4: 10, 0, 0, UInt8(index), port: 9_333) }

    /// A fixture with ready peers: outbound ones first, then inbound ones.
    static func fixture(outbound: [UInt64], inbound: [UInt64]) throws -> ProtocolFixture {
        let fixture = try ProtocolFixture()
        for peer in outbound + inbound {
            _ = fixture.handle(.connected(PeerID(peer), outbound: outbound.contains(peer), address: Self.address(Int(peer))))
            _ = fixture.handshake(PeerID(peer), id: 100 + peer)
        }
        return fixture
    }

    static func invs(_ actions: [ProtocolAction]) -> [PeerID: [Hash256]] {
        var sent: [PeerID: [Hash256]] = [:]
        for case let (peer, .inv(message)) in ProtocolFixture.sends(actions) { sent[peer, default: []] += message.inventory.items.map(\.hash) }
        return sent
    }

    static func rounds(_ actions: [ProtocolAction]) -> [(PeerID, ReconcileMessage)] {
        ProtocolFixture.sends(actions).compactMap { if case let .reconcile(round) = $0.1 { ($0.0, round) } else { nil } }
    }

    /// A put goes to outbound peers only while one is ready; a node with none announces to
    /// its inbound peers, so its clients' puts still leave at once.
    @Test func putsAreAnnouncedToOutboundPeersOnly() throws {
        let alice = try TestNetwork.identity(1)
        let put = try TestNetwork.put("k", "v", by: alice)
        let mixed = try Self.fixture(outbound: [1, 2], inbound: [3, 4])
        _ = mixed.handle(.submitted(put))
        mixed.clock.advance(by: 100)
        #expect(Self.invs(mixed.handle(.tick)) == [PeerID(1): [put.id], PeerID(2): [put.id]])
        let inboundOnly = try Self.fixture(outbound: [], inbound: [3, 4])
        _ = inboundOnly.handle(.submitted(put))
        inboundOnly.clock.advance(by: 100)
        #expect(Self.invs(inboundOnly.handle(.tick)) == [PeerID(3): [put.id], PeerID(4): [put.id]])
    }

    /// Every 2 s the node opens a round with its outbound peers in turn, naming its waiting
    /// puts by short id under the round's salt; the answer's wanted ids are sent as `tx` and
    /// its offered txids fetched; an answer to another round, or to a replaced one, is ignored.
    @Test func aRoundSendsWhatThePeerLacksAndFetchesWhatItOffers() throws {
        let alice = try TestNetwork.identity(1)
        let puts = try (0..<3).map { try TestNetwork.put("k\($0)", "v", by: alice) }
        let fixture = try Self.fixture(outbound: [1, 2], inbound: [3])
        for put in puts.prefix(2) { _ = fixture.handle(.submitted(put)) }
        var opened: [(PeerID, ReconcileMessage)] = []
        for _ in 0..<40 {
            fixture.clock.advance(by: 100)
            opened += Self.rounds(fixture.handle(.tick))
        }
        // Two rounds in 4 s, one to each outbound peer, none to the inbound one.
        #expect(opened.map(\.0) == [PeerID(2), PeerID(1)] || opened.map(\.0) == [PeerID(1), PeerID(2)])
        let (peer, round) = try #require(opened.last)
        let hasher = ReconcileMessage.shortIDHasher(salt: round.salt)
        let ids = puts.prefix(2).map { ReconcileMessage.shortID(of: $0.id, hasher: hasher) }
        #expect(round.shortIDs == ids)
        let stale = ReconcileDifferenceMessage(salt: round.salt &+ 1, wanted: ids, offered: [puts[2].id])
        #expect(ProtocolFixture.sends(fixture.handle(.received(peer, .reconcileDifference(stale)))).isEmpty)
        // The first round was replaced by the second: its answer comes too late.
        let (firstPeer, firstRound) = try #require(opened.first)
        let late = ReconcileDifferenceMessage(salt: firstRound.salt, wanted: [], offered: [puts[2].id])
        #expect(ProtocolFixture.sends(fixture.handle(.received(firstPeer, .reconcileDifference(late)))).isEmpty)
        let answer = ReconcileDifferenceMessage(salt: round.salt, wanted: [ids[1]], offered: [puts[2].id])
        let sent = ProtocolFixture.sends(fixture.handle(.received(peer, .reconcileDifference(answer))))
        #expect(sent.map(\.0) == [peer, peer])
        #expect(sent.map(\.1) == [.tx(TransactionMessage(puts[1])), .getData(GetDataMessage([InventoryItem(.transaction, puts[2].id)]))])
        // The round is closed: the same answer again does nothing.
        #expect(ProtocolFixture.sends(fixture.handle(.received(peer, .reconcileDifference(answer)))).isEmpty)
    }

    /// A peer's round is answered with the ids this node lacks and its own waiting puts the
    /// round did not name; a second round within a second is not answered (each costs a pass
    /// over the mempool), one a second later is.
    @Test func aPeersRoundIsAnsweredAtMostOnceASecond() throws {
        let alice = try TestNetwork.identity(1)
        let puts = try (0..<3).map { try TestNetwork.put("k\($0)", "v", by: alice) }
        let fixture = try Self.fixture(outbound: [], inbound: [3])
        for put in puts.prefix(2) { _ = fixture.handle(.submitted(put)) }
        let hasher = ReconcileMessage.shortIDHasher(salt: 9)
        let theirs = [puts[0], puts[2]].map { ReconcileMessage.shortID(of: $0.id, hasher: hasher) }
        let round = ReconcileMessage(salt: 9, shortIDs: theirs + [theirs[1]])
        let answer = ProtocolFixture.sends(fixture.handle(.received(PeerID(3), .reconcile(round))))
        #expect(answer.count == 1)
        #expect(answer.first?.1 == .reconcileDifference(ReconcileDifferenceMessage(salt: 9, wanted: [theirs[1]], offered: [puts[1].id])))
        fixture.clock.advance(by: 999)
        #expect(ProtocolFixture.sends(fixture.handle(.received(PeerID(3), .reconcile(round)))).isEmpty)
        fixture.clock.advance(by: 1)
        #expect(ProtocolFixture.sends(fixture.handle(.received(PeerID(3), .reconcile(round)))).count == 1)
    }

    /// A put announced to no one reaches an inbound-only neighbour through reconciliation:
    /// two protocol instances, the inbound side opening the round with its outbound peer.
    @Test func reconciliationReachesAPeerNoAnnouncementGoesTo() throws {
        let alice = try TestNetwork.identity(1)
        let put = try TestNetwork.put("only-here", "v", by: alice)
        let holder = try Self.fixture(outbound: [], inbound: [7])
        let dialler = try Self.fixture(outbound: [8], inbound: [])
        _ = holder.handle(.submitted(put))
        #expect(holder.chain.mempool.contains(put.id) && !dialler.chain.mempool.contains(put.id))
        // Messages move by hand: holder's peer 7 is the dialler; the dialler's peer 8 is holder.
        var toHolder: [Message] = []
        var toDialler: [Message] = []
        for _ in 0..<30 {
            holder.clock.advance(by: 100)
            dialler.clock.advance(by: 100)
            toHolder += ProtocolFixture.sends(dialler.handle(.tick)).map(\.1).filter { if case .reconcile = $0 { true } else { false } }
            while !toHolder.isEmpty || !toDialler.isEmpty {
                for message in toHolder { toDialler += ProtocolFixture.sends(holder.handle(.received(PeerID(7), message))).map(\.1) }
                toHolder = []
                for message in toDialler { toHolder += ProtocolFixture.sends(dialler.handle(.received(PeerID(8), message))).map(\.1) }
                toDialler = []
            }
            if dialler.chain.mempool.contains(put.id) { break }
        }
        #expect(dialler.chain.mempool.contains(put.id))
    }

    /// Headers are asked for on connecting and then only while the tip stalls: one peer every
    /// 5 s (outbound peers in turn), nothing while blocks arrive.
    @Test func headersAreAskedForOnlyWhileTheTipStalls() throws {
        let fixture = try Self.fixture(outbound: [1, 2], inbound: [3])
        let parameters = fixture.chain.parameters
        func getHeaders(_ actions: [ProtocolAction]) -> [PeerID] {
            ProtocolFixture.sends(actions).compactMap { if case .getHeaders = $0.1 { $0.0 } else { nil } }
        }
        var asked: [PeerID] = []
        // A block every 2 s for 10 s: no anti-entropy.
        var previous = parameters.genesisBlock.header
        for step in 1...100 {
            fixture.clock.advance(by: 100)
            if step % 20 == 0 {
                let block = TestNetwork.mine(on: previous, transactions: [], parameters: parameters)
                previous = block.header
                asked += getHeaders(fixture.handle(.received(PeerID(3), .block(BlockMessage(block)))))
            }
            asked += getHeaders(fixture.handle(.tick))
        }
        #expect(asked.isEmpty)
        #expect(fixture.chain.height == 5)
        // Then 10.5 s without a block: one request at 5 s, one at 10 s, each to an outbound peer.
        for _ in 0..<105 {
            fixture.clock.advance(by: 100)
            asked += getHeaders(fixture.handle(.tick))
        }
        #expect(asked.count == 2 && Set(asked) == [PeerID(1), PeerID(2)], "\(asked)")
    }

    /// A block asked of a peer that never answers is asked of another peer that has it once
    /// the tip has stood still for 5 s, however long that peer's stall timeout has grown.
    @Test func aBlockAskedOfASilentPeerIsAskedOfAnotherOnceTheTipStalls() throws {
        let fixture = try ProtocolFixture { $0.initialStallTimeout = 60_000 }
        for peer in [1, 2] as [UInt64] {
            _ = fixture.handle(.connected(PeerID(peer), outbound: true, address: Self.address(Int(peer))))
            _ = fixture.handshake(PeerID(peer), id: 100 + peer)
        }
        let parameters = fixture.chain.parameters
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [], parameters: parameters)
        func requests(_ actions: [ProtocolAction]) -> [PeerID] {
            ProtocolFixture.sends(actions).compactMap { sent in
                guard case let .getData(message) = sent.1, message.inventory.items.contains(where: { $0.hash == block.hash }) else { return nil }
                return sent.0
            }
        }
        var asked: [PeerID] = []
        for peer in [1, 2] as [UInt64] {
            asked += requests(fixture.handle(.received(PeerID(peer), .headers(HeadersMessage(headers: [block.header])))))
        }
        asked += requests(fixture.handle(.tick))
        #expect(asked.count == 1, "asked of one peer: \(asked)")
        for _ in 0..<55 {
            fixture.clock.advance(by: 100)
            asked += requests(fixture.handle(.tick))
        }
        #expect(asked.count == 2 && Set(asked) == [PeerID(1), PeerID(2)], "asked again of the other peer: \(asked)")
    }
}
