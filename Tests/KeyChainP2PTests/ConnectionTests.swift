import KeyChainChain
import KeyChainCore
@testable import KeyChainP2P
import KeyChainStore
import KeyChainTestSupport
import KeyChainWire
import Testing

/// One protocol instance on a hand-moved clock, driven event by event.
final class ProtocolFixture {
    let clock = ManualClock()
    let chain: Blockchain
    let node: PeerProtocol
    static let nodeID: UInt64 = 42

    init(_ configure: (inout PeerProtocol.Configuration) -> Void = { _ in }) throws {
        chain = try Blockchain(parameters: try TestNetwork.parameters(difficultyBits: 1), storage: MemoryBlockStore(), clock: clock.function)
        var configuration = PeerProtocol.Configuration()
        configure(&configuration)
        node = PeerProtocol(chain: chain, nodeID: Self.nodeID, listenPort: 9_333, configuration: configuration, seed: 1, clock: clock.function)
    }

    func handle(_ event: ProtocolEvent) -> [ProtocolAction] { node.handle(event).actions }

    /// Completes the handshake with `peer`, as a well-behaved node `id` listening on 9333.
    func handshake(_ peer: PeerID, id: UInt64) -> [ProtocolAction] {
        let version = VersionMessage(genesis: chain.parameters.genesisHash, bestHeight: 0, listenPort: 9_333, nodeID: id, timestamp: clock.milliseconds)
        return handle(.received(peer, .version(version))) + handle(.received(peer, .verack))
    }

    static func dials(_ actions: [ProtocolAction]) -> [PeerAddress] {
        actions.compactMap { if case let .dial(address) = $0 { address } else { nil } }
    }

    static func disconnects(_ actions: [ProtocolAction]) -> [(PeerID, String, Bool)] {
        actions.compactMap { if case let .disconnect(peer, reason, ban) = $0 { (peer, reason, ban) } else { nil } }
    }

    static func sends(_ actions: [ProtocolAction]) -> [(PeerID, Message)] {
        actions.compactMap { if case let .send(peer, message) = $0 { (peer, message) } else { nil } }
    }
}

@Suite struct ConnectionTests {
    static func address(_ index: Int, port: UInt16 = 9_333) -> PeerAddress { PeerAddress(ipv4: 10, 0, 0, UInt8(index), port: port) }

    @Test func dialsEightAndKeepsEightOpen() throws {
        let fixture = try ProtocolFixture()
        let dialled = ProtocolFixture.dials(fixture.handle(.discovered((1...20).map { Self.address($0) })))
        #expect(dialled.count == 8)
        #expect(Set(dialled).count == 8)
        for (index, address) in dialled.enumerated() { _ = fixture.handle(.connected(PeerID(UInt64(index)), outbound: true, address: address)) }
        fixture.clock.advance(by: 100)
        #expect(ProtocolFixture.dials(fixture.handle(.tick)).isEmpty)
        #expect(fixture.node.outboundCount == 8)
        // One link drops before its handshake: another address, not the same one, is dialled.
        _ = fixture.handle(.disconnected(PeerID(0)))
        fixture.clock.advance(by: 100)
        let next = ProtocolFixture.dials(fixture.handle(.tick))
        #expect(next.count == 1)
        #expect(!dialled.contains(next[0]))
    }

    /// The only known address keeps failing: dials come 1, 2, 4 ... 64 s apart, then stay at 64 s.
    @Test func redialsAFailingAddressWithBackoff() throws {
        let fixture = try ProtocolFixture()
        var times: [UInt64] = []
        var actions = fixture.handle(.discovered([Self.address(1)]))
        for _ in 0..<2_600 {
            for address in ProtocolFixture.dials(actions) {
                times.append(fixture.clock.milliseconds)
                _ = fixture.handle(.dialFailed(address))
            }
            fixture.clock.advance(by: 100)
            actions = fixture.handle(.tick)
        }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000, 64_000])
    }

    @Test func anUnansweredDialTimesOut() throws {
        let fixture = try ProtocolFixture { $0.dialTimeout = 5_000 }
        let start = fixture.clock.milliseconds
        #expect(ProtocolFixture.dials(fixture.handle(.discovered([Self.address(1)]))) == [Self.address(1)])
        var redialledAt: UInt64?
        for _ in 0..<100 where redialledAt == nil {
            fixture.clock.advance(by: 100)
            if !ProtocolFixture.dials(fixture.handle(.tick)).isEmpty { redialledAt = fixture.clock.milliseconds }
        }
        #expect(redialledAt == start + 6_000)
    }

    @Test func inboundBeyondTheCapIsClosed() throws {
        let fixture = try ProtocolFixture { $0.maxInbound = 2 }
        for index in 1...2 {
            #expect(ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(UInt64(index)), outbound: false, address: Self.address(index, port: 50_000)))).isEmpty)
        }
        let refused = ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(3), outbound: false, address: Self.address(3, port: 50_000))))
        #expect(refused.count == 1)
        #expect(refused.first?.1.contains("inbound slots") == true)
        #expect(fixture.node.inboundCount == 2)
    }

    /// One host takes at most its share of the inbound slots; another host still gets in.
    @Test func oneHostTakesAtMostItsShareOfInboundSlots() throws {
        let fixture = try ProtocolFixture { $0.maxInboundPerHost = 3 }
        for port in 0..<3 {
            #expect(ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(UInt64(port + 1)), outbound: false, address: Self.address(7, port: UInt16(50_000 + port))))).isEmpty)
        }
        let refused = ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(4), outbound: false, address: Self.address(7, port: 50_003))))
        #expect(refused.first?.1.contains("holds 3 inbound") == true)
        #expect(ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(5), outbound: false, address: Self.address(8, port: 50_000)))).isEmpty)
        #expect(fixture.node.inboundCount == 4)
    }

    /// A peer on another network is banned: refused on any port while the ban lasts, not
    /// dialled, and welcome again once it ends.
    @Test func aBannedHostIsRefusedUntilTheBanEnds() throws {
        let fixture = try ProtocolFixture { $0.addresses.banDuration = 60_000 }
        let host = Self.address(5, port: 50_000)
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: host))
        let wrong = VersionMessage(genesis: Hash256(sha256d: [7]), bestHeight: 0, listenPort: 9_333, nodeID: 9, timestamp: 0)
        let actions = fixture.handle(.received(PeerID(1), .version(wrong)))
        #expect(ProtocolFixture.sends(actions).contains { if case .reject = $0.1 { true } else { false } })
        #expect(ProtocolFixture.disconnects(actions).map(\.2) == [true])

        let again = ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(2), outbound: false, address: host.with(port: 50_001))))
        #expect(again.first?.1.contains("banned") == true)
        #expect(ProtocolFixture.dials(fixture.handle(.discovered([host.with(port: 9_333)]))).isEmpty)

        fixture.clock.advance(by: 60_000)
        #expect(ProtocolFixture.dials(fixture.handle(.tick)) == [host.with(port: 9_333)])
        #expect(ProtocolFixture.disconnects(fixture.handle(.connected(PeerID(3), outbound: false, address: host.with(port: 50_002)))).isEmpty)
    }

    @Test func getaddrIsAnsweredOncePerConnection() throws {
        let fixture = try ProtocolFixture()
        _ = fixture.handle(.discovered([Self.address(1), Self.address(2), Self.address(3)]))
        _ = fixture.handle(.connected(PeerID(9), outbound: false, address: Self.address(9, port: 50_000)))
        _ = fixture.handshake(PeerID(9), id: 9)
        let first = ProtocolFixture.sends(fixture.handle(.received(PeerID(9), .getAddr)))
        guard case let .addr(reply)? = first.first?.1 else {
            Issue.record("no addr reply: \(first)")
            return
        }
        // Everything the node knows except the asker's own listening address.
        #expect(Set(reply.addresses.map { PeerAddress($0) }) == [Self.address(1), Self.address(2), Self.address(3)])
        #expect(ProtocolFixture.sends(fixture.handle(.received(PeerID(9), .getAddr))).isEmpty)
    }

    /// An announced address reaches two other peers once; hearing it again changes nothing.
    @Test func announcedAddressesArePassedOnOnce() throws {
        let fixture = try ProtocolFixture()
        for index in 1...4 {
            _ = fixture.handle(.connected(PeerID(UInt64(index)), outbound: false, address: Self.address(index, port: 50_000)))
            _ = fixture.handshake(PeerID(UInt64(index)), id: UInt64(index))
        }
        let announcement = AddrMessage([Self.address(77).networkAddress(lastSeen: fixture.clock.milliseconds)])
        let relayed = ProtocolFixture.sends(fixture.handle(.received(PeerID(1), .addr(announcement))))
        #expect(relayed.count == 2)
        #expect(!relayed.contains { $0.0 == PeerID(1) })
        #expect(ProtocolFixture.sends(fixture.handle(.received(PeerID(2), .addr(announcement)))).isEmpty)
        #expect(fixture.node.addresses.entry(Self.address(77)) != nil)
    }

    @Test func aConnectionToItselfIsDroppedAndNeverDialledAgain() throws {
        let fixture = try ProtocolFixture()
        let own = Self.address(1)
        #expect(ProtocolFixture.dials(fixture.handle(.discovered([own]))) == [own])
        _ = fixture.handle(.connected(PeerID(1), outbound: true, address: own))
        let actions = fixture.handshake(PeerID(1), id: ProtocolFixture.nodeID)
        #expect(ProtocolFixture.disconnects(actions).map(\.2) == [false])
        #expect(fixture.node.addresses.entry(own) == nil)
        fixture.clock.advance(by: 120_000)
        #expect(ProtocolFixture.dials(fixture.handle(.tick) + fixture.handle(.discovered([own]))).isEmpty)
    }

    /// A peer leaves and a new one takes its slot: the new one is not taken to know what the
    /// old one knew, and hears of the waiting put.
    @Test func aPeerInAReusedSlotHearsOfWaitingPuts() throws {
        let fixture = try ProtocolFixture()
        func announced(to peer: PeerID) -> [Hash256] {
            fixture.clock.advance(by: 100)
            return ProtocolFixture.sends(fixture.handle(.tick)).flatMap { sent -> [Hash256] in
                guard sent.0 == peer, case let .inv(inv) = sent.1 else { return [] }
                return inv.inventory.items.map(\.hash)
            }
        }
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address(1, port: 50_000)))
        _ = fixture.handshake(PeerID(1), id: 1)
        let put = try TestNetwork.put("k", "v", by: try TestNetwork.identity(1))
        _ = fixture.handle(.submitted(put))
        #expect(announced(to: PeerID(1)) == [put.id])
        _ = fixture.handle(.disconnected(PeerID(1)))
        _ = fixture.handle(.connected(PeerID(2), outbound: false, address: Self.address(2, port: 50_000)))
        _ = fixture.handshake(PeerID(2), id: 2)
        #expect(announced(to: PeerID(2)) == [put.id])
        #expect(announced(to: PeerID(2)).isEmpty, "announced once")
    }
}

@Suite struct BoundedSetTests {
    /// Two generations: the last `capacity` items are always remembered, older ones go.
    @Test func recentSetKeepsTheLatestGeneration() {
        var set = RecentSet<Int>(capacity: 3)
        for item in 0..<7 { set.insert(item) }
        // Generations: [0,1,2] dropped, [3,4,5] previous, [6] current.
        #expect((0..<7).map(set.contains) == [false, false, false, true, true, true, true])
        let again = set.insert(4), forgotten = set.insert(0)
        #expect(!again)
        #expect(forgotten)
    }

    @Test func knownInventoryTracksSlotsAndForgetsAPeer() {
        var known = KnownInventory(capacity: 2)
        let a = Hash256(sha256d: [1]), b = Hash256(sha256d: [2]), c = Hash256(sha256d: [3])
        known.insert(a, slot: 0)
        known.insert(a, slot: 127)
        known.insert(b, slot: 64)
        known.insert(c, slot: 5)
        #expect(known.slots(a).contains(0) && known.slots(a).contains(127) && !known.slots(a).contains(64))
        #expect(known.slots(b).contains(64))
        known.removeAll(slot: 127)
        #expect(!known.slots(a).contains(127) && known.slots(a).contains(0))
        known.insert(Hash256(sha256d: [4]), slot: 1)
        known.insert(Hash256(sha256d: [5]), slot: 1)
        #expect(known.slots(a) == KnownInventory.Slots(), "two generations later, a is forgotten")
    }
}
