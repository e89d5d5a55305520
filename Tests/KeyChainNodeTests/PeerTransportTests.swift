import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainOwner
import KeyChainP2P
import KeyChainTestProcesses
import KeyChainTestSupport
import KeyChainWire
import Logging
import NIOConcurrencyHelpers
import Testing

@testable import KeyChainTransport

/// The transport on real sockets, with raw TCP connections as peers and the events it delivers
/// standing in for the protocol.
@Suite struct PeerTransportTests {
    /// The block a node sealed is framed as soon as it is offered, and answered early only to
    /// the peers it was announced to, once each, from that frame: a connection without a handshake, or a second request,
    /// goes to the protocol (which refuses a `getdata` before the handshake), and is sent
    /// nothing here.
    @Test func anOfferedBlockIsSentEarlyOnlyToThePeersItWasOfferedToOnceEach() async throws {
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let recentBlocks = RecentBlocks()
        let transport = PeerTransport(network: parameters, recentBlocks: recentBlocks, logger: Logger(label: "keychain.test.transport"))
        let events = NIOLockedValueBox<[ProtocolEvent]>([])
        transport.attach { batch, handled in
            events.withLockedValue { $0 += batch }
            handled()
        }
        let port = try await transport.listen(host: "127.0.0.1", port: 0)
        func connected() -> [PeerID] {
            events.withLockedValue { $0.compactMap { if case let .connected(peer, _, _) = $0 { peer } else { nil } } }
        }
        func requests(from peer: PeerID) -> Int {
            events.withLockedValue { $0.count { if case .received(peer, .getData) = $0 { true } else { false } } }
        }
        let announced = try TCPConnection(port: port, timeoutSeconds: 15)
        try await eventually("the first connection") { connected().count == 1 }
        let alsoAnnounced = try TCPConnection(port: port, timeoutSeconds: 15)
        try await eventually("the second connection") { connected().count == 2 }
        let stranger = try TCPConnection(port: port, timeoutSeconds: 15)
        try await eventually("the third connection") { connected().count == 3 }
        let (announcedID, alsoAnnouncedID, strangerID) = (connected()[0], connected()[1], connected()[2])

        let put = try TestNetwork.put("offered", "block", by: try TestNetwork.identity(1))
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [put], parameters: parameters)
        recentBlocks.insert(block, hash: block.hash)
        transport.offer(block.hash, to: [announcedID, alsoAnnouncedID])
        let magic = Frame.magic(for: parameters.genesisHash)
        // Framed ahead of any request, once: a sender later takes that frame as it is.
        try await eventually("the offered block framed before anyone asked") { recentBlocks.isFramed(block.hash) }
        let framedAgain = NIOLockedValueBox(false)
        let frame = recentBlocks.frame(of: block.hash) { _ in framedAgain.withLockedValue { $0 = true }; return [] }
        #expect(frame == Frame.encode(.block(BlockMessage(block)), magic: magic))
        #expect(!framedAgain.withLockedValue { $0 })
        let request = Frame.encode(.getData(GetDataMessage([InventoryItem(.block, block.hash)])), magic: magic)
        stranger.send(request)
        try await eventually("the stranger's request at the protocol") { requests(from: strangerID) == 1 }
        for (connection, id) in [(announced, announcedID), (alsoAnnounced, alsoAnnouncedID)] {
            connection.send(request)
            connection.send(request)
            try await eventually("the second request at the protocol") { requests(from: id) == 1 }
        }

        transport.close()
        let toStranger = await stranger.readUntilClosed()
        #expect(toStranger.closed)
        #expect(toStranger.bytes.isEmpty, "the stranger was sent \(toStranger.bytes.count) bytes")
        for connection in [announced, alsoAnnounced] {
            let received = await connection.readUntilClosed()
            #expect(received.closed)
            var decoder = FrameDecoder(magic: magic, bytes: received.bytes)
            var sent: [Message] = []
            while let message = try decoder.next() { sent.append(message) }
            #expect(sent == [.block(BlockMessage(block))], "an announced peer was sent \(sent.map(\.command))")
            #expect(decoder.buffered == 0)
        }
    }

    /// The early answer keeps the peer's order: while a request it sent earlier waits at the
    /// owner, its `getdata` for the offered block goes to the protocol behind it; once the
    /// owner has handled what came before, the next request is answered early. A `ping` ahead
    /// of the `getdata` in the same read holds it back the same way.
    @Test func anOfferedBlockIsNotSentAheadOfAnEarlierRequestsReply() async throws {
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let recentBlocks = RecentBlocks()
        let transport = PeerTransport(network: parameters, recentBlocks: recentBlocks, logger: Logger(label: "keychain.test.transport"))
        let events = NIOLockedValueBox<[ProtocolEvent]>([])
        let unhandled = NIOLockedValueBox<[@Sendable () -> Void]>([])
        transport.attach { batch, handled in
            events.withLockedValue { $0 += batch }
            unhandled.withLockedValue { $0.append(handled) }
        }
        func received() -> [Message] {
            events.withLockedValue { $0.compactMap { if case let .received(_, message) = $0 { message } else { nil } } }
        }
        let (connection, peer) = try await Self.oneConnection(to: transport, events: events)
        let put = try TestNetwork.put("ordered", "reply", by: try TestNetwork.identity(1))
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [put], parameters: parameters)
        recentBlocks.insert(block, hash: block.hash)
        transport.offer(block.hash, to: [peer])
        let magic = Frame.magic(for: parameters.genesisHash)
        let ping = Frame.encode(.ping(PingMessage(nonce: 7)), magic: magic)
        let request = Frame.encode(.getData(GetDataMessage([InventoryItem(.block, block.hash)])), magic: magic)

        // In one read: the ping's reply comes first, so the request goes to the protocol.
        connection.send(ping + request)
        try await eventually("both at the protocol") { received().count == 2 }
        #expect(received() == [.ping(PingMessage(nonce: 7)), .getData(GetDataMessage([InventoryItem(.block, block.hash)]))])
        // In a later read, while the ping is still unhandled: to the protocol again.
        connection.send(request)
        try await eventually("the second request at the protocol") { received().count == 3 }
        // Once the owner handled the lot, the next request is answered here, from the cache.
        for handled in unhandled.withLockedValue({ $0 }) { handled() }
        connection.send(request)
        let answered = await connection.receive(atLeast: request.count + 1)
        var decoder = FrameDecoder(magic: magic, bytes: answered)
        #expect(try decoder.next() == .block(BlockMessage(block)))
        #expect(received().count == 3, "the answered request also reached the protocol")
        transport.close()
    }

    /// `transport` listening on 127.0.0.1 with one raw connection to it, and the peer id its
    /// first event gave that connection.
    static func oneConnection(to transport: PeerTransport, events: NIOLockedValueBox<[ProtocolEvent]>) async throws -> (TCPConnection, PeerID) {
        let port = try await transport.listen(host: "127.0.0.1", port: 0)
        let connection = try TCPConnection(port: port, timeoutSeconds: 15)
        try await eventually("the connection") { events.withLockedValue { $0.count } == 1 }
        guard case let .connected(peer, _, _)? = events.withLockedValue({ $0.first }) else {
            throw ProcessFailure(description: "no connection event: \(events.withLockedValue { $0 })")
        }
        return (connection, peer)
    }

    /// A batch's bytes count against its peer until the owner says it has handled the batch,
    /// not merely received it: a flooding peer's batches cannot pile up in the owner's lane
    /// past the inbox bound.
    @Test func aPeersBytesCountUntilTheOwnerHandledThem() async throws {
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let transport = PeerTransport(network: parameters, logger: Logger(label: "keychain.test.transport"))
        let events = NIOLockedValueBox<[ProtocolEvent]>([])
        let unhandled = NIOLockedValueBox<[@Sendable () -> Void]>([])
        transport.attach { batch, handled in
            events.withLockedValue { $0 += batch }
            unhandled.withLockedValue { $0.append(handled) }
        }
        let (connection, peer) = try await Self.oneConnection(to: transport, events: events)
        let magic = Frame.magic(for: parameters.genesisHash)
        let frame = Frame.encode(.getData(GetDataMessage([InventoryItem(.block, Hash256(sha256d: [1]))])), magic: magic)
        connection.send(frame)
        try await eventually("the message delivered") { events.withLockedValue { $0.count } == 2 }
        #expect(transport.waitingBytes(of: peer) == frame.count, "delivered but not handled")
        for handled in unhandled.withLockedValue({ $0 }) { handled() }
        #expect(transport.waitingBytes(of: peer) == 0, "handled")
        transport.close()
    }
}
