import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Each row: what a peer sends, and whether it is banned. The header is announced first; the
/// body rows answer the node's `getdata` for it.
@Suite struct MisbehaviourTests {
    enum Offence: String, CaseIterable, Sendable {
        case bodyNotMatchingItsMerkleRoot, forgedSignatureInBody, headerWithoutProofOfWork, malformedFrame, wrongNetwork, honestBlock
    }

    static func address(_ index: Int) -> PeerAddress { PeerAddress(ipv4: 10, 0, 0, UInt8(index), port: 50_000) }

    @Test(arguments: Offence.allCases) func offenceIsBanned(_ offence: Offence) throws {
        let fixture = try ProtocolFixture()
        let parameters = fixture.chain.parameters
        let alice = try TestNetwork.identity(1)
        let put = try TestNetwork.put("k", "v", by: alice)
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [put], parameters: parameters)
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address(1)))
        _ = fixture.handshake(PeerID(1), id: 1)

        var actions: [ProtocolAction] = []
        switch offence {
        case .malformedFrame:
            actions = fixture.handle(.malformed(PeerID(1), reason: "checksum mismatch"))
        case .wrongNetwork:
            let version = VersionMessage(genesis: Hash256(sha256d: [9]), bestHeight: 0, listenPort: 1, nodeID: 1, timestamp: 0)
            actions = fixture.handle(.received(PeerID(1), .version(version)))
        case .headerWithoutProofOfWork:
            let unsolved = TestNetwork.unsolve(block.header, target: parameters.target)
            actions = fixture.handle(.received(PeerID(1), .headers(HeadersMessage(headers: [unsolved]))))
        case .bodyNotMatchingItsMerkleRoot, .forgedSignatureInBody, .honestBlock:
            let asked = fixture.handle(.received(PeerID(1), .headers(HeadersMessage(headers: [block.header]))))
            #expect(asked.contains(.send(PeerID(1), .getData(GetDataMessage([InventoryItem(.block, block.hash)])))))
            var body = block
            if offence == .bodyNotMatchingItsMerkleRoot { body = Block(header: block.header, transactions: [try TestNetwork.put("x", "y", by: alice)]) }
            if offence == .forgedSignatureInBody {
                let mallory = try TestNetwork.identity(2)
                body = Block(header: block.header, transactions: [put.withSignature(mallory.sign(put.id.bytes))])
            }
            actions = fixture.handle(.received(PeerID(1), .block(BlockMessage(body))))
        }
        let bans = ProtocolFixture.disconnects(actions).filter(\.2)
        #expect(bans.count == (offence == .honestBlock ? 0 : 1), "\(offence): \(actions)")
        let refused = ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(2), outbound: false, address: Self.address(1).with(port: 50_001))))
        #expect(refused.isEmpty == (offence == .honestBlock), "\(offence): a new connection from the host")

        // A body that failed its header leaves the header wanted: an honest peer's body is taken.
        if offence == .bodyNotMatchingItsMerkleRoot || offence == .forgedSignatureInBody {
            #expect(fixture.chain.tree.node(block.hash)?.status == .headerOnly)
            _ = fixture.handle(.connected(PeerID(3), outbound: false, address: Self.address(3)))
            _ = fixture.handshake(PeerID(3), id: 3)
            let asked = fixture.handle(.received(PeerID(3), .headers(HeadersMessage(headers: [block.header]))))
            #expect(asked.contains(.send(PeerID(3), .getData(GetDataMessage([InventoryItem(.block, block.hash)])))))
            _ = fixture.handle(.received(PeerID(3), .block(BlockMessage(block))))
            #expect(fixture.chain.tip.hash == block.hash)
        }
    }
}

/// Floods a peer may send: each is bounded, and none is amplified.
@Suite struct FloodTests {
    static func ready() throws -> ProtocolFixture {
        let fixture = try ProtocolFixture()
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: MisbehaviourTests.address(1)))
        _ = fixture.handshake(PeerID(1), id: 1)
        return fixture
    }

    @Test func anInvOfManyUnknownBlocksAsksForHeadersOnce() throws {
        let fixture = try Self.ready()
        let items = (0..<1_000).map { InventoryItem(.block, Hash256(sha256d: [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)])) }
        let sent = ProtocolFixture.sends(fixture.handle(.received(PeerID(1), .inv(InvMessage(items)))))
        #expect(sent.filter { if case .getHeaders = $0.1 { true } else { false } }.count == 1)
    }

    /// Found over real sockets (HostilePeerTests.getdataFlood): a getdata naming the tip a
    /// thousand times was served a thousand times.
    @Test func aBlockAskedForManyTimesInOneGetdataIsSentOnce() throws {
        let fixture = try Self.ready()
        let parameters = fixture.chain.parameters
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [], parameters: parameters)
        _ = try fixture.chain.acceptBlock(block)
        let request = GetDataMessage(Array(repeating: InventoryItem(.block, block.hash), count: 1_000))
        let sent = ProtocolFixture.sends(fixture.handle(.received(PeerID(1), .getData(request))))
        #expect(sent.filter { if case .block = $0.1 { true } else { false } }.count == 1)
    }

    /// `count` empty blocks on the fixture's chain, their hashes in order.
    static func extend(_ fixture: ProtocolFixture, by count: Int) throws -> [Hash256] {
        let parameters = fixture.chain.parameters
        var header = parameters.genesisBlock.header
        var hashes: [Hash256] = []
        for _ in 0..<count {
            let block = TestNetwork.mine(on: header, transactions: [], parameters: parameters)
            _ = try fixture.chain.acceptBlock(block)
            hashes.append(block.hash)
            header = block.header
        }
        return hashes
    }

    /// The blocks among `actions`' sends, by hash.
    static func blocks(_ actions: [ProtocolAction]) -> [Hash256] {
        ProtocolFixture.sends(actions).compactMap { if case let .block(message) = $0.1 { message.block.hash } else { nil } }
    }

    /// A getdata naming 100 stored blocks is served 16 at once and 16 a tick after, in the
    /// order asked, each once; the owner's turn for it stays short whatever the request names.
    @Test func aGetdataForManyStoredBlocksIsServedInSlices() throws {
        let fixture = try Self.ready()
        let hashes = try Self.extend(fixture, by: 100)
        let slice = PeerProtocol.Configuration().blocksServedPerTurn
        var sent = Self.blocks(fixture.handle(.received(PeerID(1), .getData(GetDataMessage(hashes.map { InventoryItem(.block, $0) })))))
        #expect(sent.count == slice)
        var ticks = 0
        while sent.count < hashes.count && ticks < 20 {
            fixture.clock.advance(by: 100)
            let more = Self.blocks(fixture.handle(.tick))
            #expect(more.count <= slice)
            sent += more
            ticks += 1
        }
        #expect(sent == hashes)
        #expect(ticks == (hashes.count - slice + slice - 1) / slice)
    }

    /// The slices are paced by the send backlog: while the transport reports more than a
    /// frame's worth unsent to the peer, its queued requests wait; once it has drained, they go on.
    @Test func queuedBlockRequestsWaitWhileThePeersBacklogIsFull() throws {
        let fixture = try Self.ready()
        let hashes = try Self.extend(fixture, by: 40)
        let slice = PeerProtocol.Configuration().blocksServedPerTurn
        let full = PeerProtocol.Configuration().maxBacklogToServe + 1
        var sent = Self.blocks(fixture.handle(.received(PeerID(1), .getData(GetDataMessage(hashes.map { InventoryItem(.block, $0) })))))
        #expect(sent.count == slice)
        #expect(fixture.handle(.backlog(PeerID(1), bytes: full)).isEmpty, "a backlog under the limit closes nothing")
        for _ in 0..<5 {
            fixture.clock.advance(by: 100)
            #expect(Self.blocks(fixture.handle(.tick)).isEmpty, "served with a full backlog")
        }
        _ = fixture.handle(.backlog(PeerID(1), bytes: 0))
        fixture.clock.advance(by: 100)
        sent += Self.blocks(fixture.handle(.tick))
        #expect(sent.count == 2 * slice)
        fixture.clock.advance(by: 100)
        sent += Self.blocks(fixture.handle(.tick))
        #expect(sent == hashes)
    }

    @Test func transactionRequestsPerPeerAreCapped() throws {
        let fixture = try Self.ready()
        let items = (0..<6_000).map { InventoryItem(.transaction, Hash256(sha256d: [UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)])) }
        let sent = ProtocolFixture.sends(fixture.handle(.received(PeerID(1), .inv(InvMessage(items)))))
        let asked = sent.reduce(0) { count, message in
            if case let .getData(request) = message.1 { count + request.inventory.items.count } else { count }
        }
        #expect(asked == 5_000)
    }

    /// 1,000 addresses at once are taken (a `getaddr` answer); more are not, until time refills
    /// the peer's allowance at 0.1 a second.
    @Test func addressesPerPeerAreRateLimited() throws {
        let fixture = try Self.ready()
        func addresses(_ block: UInt8) -> AddrMessage {
            AddrMessage((0..<1_000).map { PeerAddress(ipv4: 10, block, UInt8($0 >> 8), UInt8(truncatingIfNeeded: $0), port: 9_333).networkAddress(lastSeen: 0) })
        }
        let before = fixture.node.addresses.count  // the peer's own listening address
        _ = fixture.handle(.received(PeerID(1), .addr(addresses(1))))
        #expect(fixture.node.addresses.count == before + 1_000)
        _ = fixture.handle(.received(PeerID(1), .addr(addresses(2))))
        #expect(fixture.node.addresses.count == before + 1_000)
        fixture.clock.advance(by: 100_000)
        _ = fixture.handle(.received(PeerID(1), .addr(addresses(3))))
        #expect(fixture.node.addresses.count == before + 1_010)
    }
}
