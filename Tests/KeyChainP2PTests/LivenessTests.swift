import KeyChainCore
@testable import KeyChainP2P
import KeyChainTestSupport
import KeyChainWire
import Testing

/// Silent and slow peers cannot hold a connection: a handshake has a deadline, an idle link is
/// pinged and closed when the pong does not come, and a peer that does not read is dropped
/// once the transport holds more than the budget for it.
@Suite struct LivenessTests {
    static let address = PeerAddress(ipv4: 10, 0, 0, 7, port: 50_000)

    /// Ticks every 100 ms for `milliseconds`; returns every disconnect.
    static func run(_ fixture: ProtocolFixture, for milliseconds: UInt64) -> [(PeerID, String, Bool)] {
        var closed: [(PeerID, String, Bool)] = []
        for _ in 0..<(milliseconds / 100) {
            fixture.clock.advance(by: 100)
            closed += ProtocolFixture.disconnects(fixture.handle(.tick))
        }
        return closed
    }

    @Test func aHandshakeThatNeverCompletesIsClosedAfterItsTimeout() throws {
        let fixture = try ProtocolFixture()
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address))
        #expect(Self.run(fixture, for: 59_900).isEmpty)
        let closed = Self.run(fixture, for: 200)
        #expect(closed.count == 1)
        #expect(closed.first?.1.contains("no handshake within 60 s") == true)
        #expect(closed.first?.2 == false)
        #expect(fixture.node.inboundCount == 0)
    }

    @Test func anIdleLinkIsPingedAndClosedWhenThePongDoesNotCome() throws {
        let fixture = try ProtocolFixture { $0.antiEntropyInterval = 600_000 }
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address))
        _ = fixture.handshake(PeerID(1), id: 9)
        // Silent for 30 s: a ping.
        var pings: [UInt64] = []
        for _ in 0..<300 {
            fixture.clock.advance(by: 100)
            for (_, message) in ProtocolFixture.sends(fixture.handle(.tick)) { if case let .ping(ping) = message { pings.append(ping.nonce) } }
        }
        #expect(pings.count == 1)
        // Answered: the link stays, and the round trip is measured.
        fixture.clock.advance(by: 40)
        _ = fixture.handle(.received(PeerID(1), .pong(PongMessage(nonce: pings[0]))))
        #expect(fixture.node.peers[PeerID(1)]?.pingMilliseconds == 40)
        #expect(Self.run(fixture, for: 29_000).isEmpty)
        // The next ping goes unanswered (a wrong nonce does not count): closed 30 s later.
        _ = Self.run(fixture, for: 1_500)
        _ = fixture.handle(.received(PeerID(1), .pong(PongMessage(nonce: pings[0] &+ 1))))
        let closed = Self.run(fixture, for: 30_000)
        #expect(closed.count == 1)
        #expect(closed.first?.1.contains("no pong within 30 s") == true)
    }

    /// A peer this node has stopped reading (it is behind on the peer's messages) is not
    /// blamed for a pong that may wait unread: no disconnect however long the pause, and once
    /// reading resumes the pong has its full 30 s again.
    @Test func aPeerThisNodeDoesNotReadIsNotBlamedForItsSilence() throws {
        let fixture = try ProtocolFixture { $0.antiEntropyInterval = 600_000 }
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address))
        _ = fixture.handshake(PeerID(1), id: 9)
        _ = Self.run(fixture, for: 30_100)  // pinged
        #expect(fixture.node.peers[PeerID(1)]?.pingNonce != nil)
        _ = fixture.handle(.reading(PeerID(1), paused: true))
        #expect(Self.run(fixture, for: 90_000).isEmpty, "closed while this node was not reading it")
        _ = fixture.handle(.reading(PeerID(1), paused: false))
        #expect(Self.run(fixture, for: 29_900).isEmpty, "closed before its fresh deadline")
        let closed = Self.run(fixture, for: 300)
        #expect(closed.count == 1)
        #expect(closed.first?.1.contains("no pong within 30 s") == true)
    }

    @Test func aPeerThatDoesNotReadIsDisconnectedPastTheBudget() throws {
        let fixture = try ProtocolFixture { $0.maxSendBacklog = 1_000_000 }
        _ = fixture.handle(.connected(PeerID(1), outbound: false, address: Self.address))
        _ = fixture.handshake(PeerID(1), id: 9)
        #expect(ProtocolFixture.disconnects(fixture.handle(.backlog(PeerID(1), bytes: 1_000_000))).isEmpty)
        let closed = ProtocolFixture.disconnects(fixture.handle(.backlog(PeerID(1), bytes: 1_000_001)))
        #expect(closed.count == 1)
        #expect(closed.first?.1.contains("does not read: 1000001 bytes") == true)
        #expect(fixture.node.readyPeers.isEmpty)
    }
}
