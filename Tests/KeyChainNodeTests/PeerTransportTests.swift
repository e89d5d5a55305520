import Foundation
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
    /// The block a node sealed is answered on the event loop only to the peers it was announced
    /// to, once each, from one frame: a connection without a handshake, or a second request,
    /// goes to the protocol (which refuses a `getdata` before the handshake), and is sent
    /// nothing here.
    @Test func anOfferedBlockIsSentEarlyOnlyToThePeersItWasOfferedToOnceEach() async throws {
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let transport = PeerTransport(network: parameters, logger: Logger(label: "keychain.test.transport"))
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
        transport.offer(block, to: [announcedID, alsoAnnouncedID])
        let magic = Frame.magic(for: parameters.genesisHash)
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
        let port = try await transport.listen(host: "127.0.0.1", port: 0)
        let connection = try TCPConnection(port: port, timeoutSeconds: 15)
        try await eventually("the connection") { events.withLockedValue { $0.count } == 1 }
        guard case let .connected(peer, _, _)? = events.withLockedValue({ $0.first }) else {
            Issue.record("no connection event")
            return
        }
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
