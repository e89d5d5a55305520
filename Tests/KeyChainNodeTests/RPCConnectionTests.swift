import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainOwner
import KeyChainP2P
import KeyChainStore
import KeyChainTestProcesses
import KeyChainTestSupport
import KeyChainWire
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import KeyChainRPC

/// One client connection driven in-process through NIO's `NIOAsyncTestingChannel`, against a
/// real node: what a connection promises (docs/PROTOCOL.md §8) without a socket. Its requests
/// take effect in order (a read pipelined behind a write sees it), its replies leave in request
/// order whatever each costs, and a malformed line gets an error and leaves it open.
@Suite struct RPCConnectionTests {
    /// A channel with the API server's decoder and connection handler, over `node`.
    static func connection(to node: Node) async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        let dispatcher = RPCDispatcher(node: node, connection: 1, notifications: { _ in })
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 1 << 20)))
            try channel.pipeline.syncOperations.addHandler(RPCConnectionHandler(dispatcher: dispatcher, maxLength: 1 << 20,
                                                                                logger: Logger(label: "test.rpc")))
        }.get()
        try await channel.connect(to: try SocketAddress(unixDomainSocketPath: "/rpc-connection-test"))
        return channel
    }

    /// The next `count` replies, as JSON objects.
    static func replies(_ count: Int, from channel: NIOAsyncTestingChannel) async throws -> [[String: Any]] {
        var lines: [[String: Any]] = []
        var pending = ""
        while lines.count < count {
            var buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                lines.append(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
            }
        }
        return lines
    }

    static func node(_ directory: TemporaryDirectory) throws -> Node {
        try Node(parameters: try TestNetwork.parameters(difficultyBits: 4), storage: MemoryBlockStore(), wallet: try TestNetwork.identity(6),
                 configuration: NodeConfiguration(dataDirectory: directory.path, mine: false))
    }

    @Test func aReadPipelinedBehindAWriteSeesItAndRepliesLeaveInOrder() async throws {
        let directory = try TemporaryDirectory()
        let node = try Self.node(directory)
        let channel = try await Self.connection(to: node)
        let put = try TestNetwork.put("rpc/k", "v", by: TestNetwork.identity(1))
        // A write (decoded and verified in a task, then the owner), reads of every speed behind
        // it, all in one segment.
        let requests = [
            #"{"jsonrpc":"2.0","id":1,"method":"submit","params":{"tx":"\#(Hex.encode(put.encoded))"}}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tx","params":{"txid":"\#(put.id.hex)"}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"keys","params":{}}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"get","params":{"key":"rpc/k"}}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"status"}"#,
        ]
        try await channel.writeInbound(ByteBuffer(string: requests.joined(separator: "\n") + "\n"))
        let replies = try await Self.replies(5, from: channel)
        #expect(replies.map { $0["id"] as? Int } == [1, 2, 3, 4, 5])
        #expect((replies[0]["result"] as? [String: Any])?["status"] as? String == "pending")
        #expect((replies[1]["result"] as? [String: Any])?["status"] as? String == "pending", "the tx read did not see the submit before it")
        #expect((replies[3]["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.keyNotFound.rawValue)
        #expect((replies[4]["result"] as? [String: Any])?["mempool"] as? Int == 1)
        _ = try await channel.finish()
        await node.shutdown()
    }

    @Test func aWriteBehindABatchStillBeingVerifiedReachesTheOwnerAfterIt() async throws {
        let directory = try TemporaryDirectory()
        let node = try Self.node(directory)
        let channel = try await Self.connection(to: node)
        // The batch goes to the owner from its verifier's thread (nothing is ahead of it); the
        // `wait` behind it, quick to decode, must still reach the owner after it: before, its
        // txid would be unknown there (-32002), after, pending until the timeout (-32020).
        let author = try TestNetwork.identity(2)
        let puts = try (0..<200).map { try TestNetwork.put("rpc/batch/\($0)", "v", by: author) }
        let batch = puts.map { "\"\(Hex.encode($0.encoded))\"" }.joined(separator: ",")
        let lines = [
            #"{"jsonrpc":"2.0","id":1,"method":"submit_batch","params":{"txs":[\#(batch)]}}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"wait","params":{"txid":"\#(puts[199].id.hex)","timeoutMs":200}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tx","params":{"txid":"\#(puts[0].id.hex)"}}"#,
        ]
        try await channel.writeInbound(ByteBuffer(string: lines.joined(separator: "\n") + "\n"))
        let replies = try await Self.replies(3, from: channel)
        #expect(replies.map { $0["id"] as? Int } == [1, 2, 3])
        let results = (replies[0]["result"] as? [String: Any])?["results"] as? [[String: Any]]
        #expect(results?.count == 200 && results?.allSatisfy { $0["error"] == nil } == true)
        #expect((replies[1]["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.timeout.rawValue, "\(replies[1])")
        #expect((replies[2]["result"] as? [String: Any])?["status"] as? String == "pending")
        _ = try await channel.finish()
        await node.shutdown()
    }

    /// Whether the handler last asked for the connection to be read.
    static func reading(_ channel: NIOAsyncTestingChannel) -> Bool {
        channel.options.last(where: { $0.option is ChannelOptions.Types.AutoReadOption })?.value as? Bool ?? true
    }

    @Test func readsPipelinedBehindALongWaitStopTheReadingAtTheBoundUntilItsReplyLeaves() async throws {
        let directory = try TemporaryDirectory()
        let node = try Self.node(directory)
        let channel = try await Self.connection(to: node)
        // A put, a wait for it that no block will end (the node does not mine), then more reads
        // than a connection may have unanswered: their replies are ready at once but must leave
        // after the wait's.
        let put = try TestNetwork.put("rpc/held", "v", by: TestNetwork.identity(1))
        let reads = RPCConnectionHandler.maxOutstanding + 10
        let lines = [
            #"{"jsonrpc":"2.0","id":0,"method":"submit","params":{"tx":"\#(Hex.encode(put.encoded))"}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"wait","params":{"txid":"\#(put.id.hex)","timeoutMs":3600000}}"#,
        ] + (2..<(reads + 2)).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"status"}"# }
        try await channel.writeInbound(ByteBuffer(string: lines.joined(separator: "\n") + "\n"))
        #expect(!Self.reading(channel), "the connection was still read with \(reads + 2) requests unanswered")
        // The node shuts down, which answers the wait; every reply leaves, in order, and the
        // connection is read again.
        await node.shutdown()
        let replies = try await Self.replies(reads + 2, from: channel)
        #expect(replies.map { $0["id"] as? Int } == Array(0..<(reads + 2)))
        #expect((replies[1]["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.unavailable.rawValue, "\(replies[1])")
        #expect(Self.reading(channel))
        _ = try await channel.finish()
    }

    @Test func largeRepliesHeldBehindALongWaitStopTheReadingAtTheirByteBound() async throws {
        let directory = try TemporaryDirectory()
        // A key holding the largest value the network allows, confirmed through a peer's block.
        let (node, parameters) = try PeerBlockTests.node(directory)
        let large = String(repeating: "v", count: parameters.maxValueLength)
        let block = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: [try TestNetwork.put("rpc/large", large, by: TestNetwork.identity(4))],
                                     parameters: parameters)
        node.receive(.received(PeerBlockTests.peer, .block(BlockMessage(block))))
        await node.settle()
        #expect(node.view.height == 1)
        let channel = try await Self.connection(to: node)
        // A wait no block will end, then `get`s of that key: few enough requests for the count's
        // bound, but their replies (the value is text, sent as it is) pass the byte bound.
        let put = try TestNetwork.put("rpc/held", "v", by: TestNetwork.identity(1))
        let replyBytes = parameters.maxValueLength
        let reads = RPCConnectionHandler.maxHeldReplyBytes / replyBytes + 4
        #expect(reads + 2 < RPCConnectionHandler.maxOutstanding)
        let lines = [
            #"{"jsonrpc":"2.0","id":0,"method":"submit","params":{"tx":"\#(Hex.encode(put.encoded))"}}"#,
            #"{"jsonrpc":"2.0","id":1,"method":"wait","params":{"txid":"\#(put.id.hex)","timeoutMs":3600000}}"#,
        ] + (2..<(reads + 2)).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"get","params":{"key":"rpc/large"}}"# }
        try await channel.writeInbound(ByteBuffer(string: lines.joined(separator: "\n") + "\n"))
        // Each reply is made on the event loop, but a `read` waits for the write before it to be
        // applied first (the submit's hand-over); so the bound is met once they are all made.
        try await eventually("the held replies to stop the reading") { !Self.reading(channel) }
        await node.shutdown()
        let replies = try await Self.replies(reads + 2, from: channel)
        #expect(replies.map { $0["id"] as? Int } == Array(0..<(reads + 2)))
        #expect(((replies.last?["result"] as? [String: Any])?["value"] as? String)?.count == replyBytes)
        #expect(Self.reading(channel))
        _ = try await channel.finish()
    }

    @Test func writesBeyondThoseBeingPreparedStopTheReadingUntilOneIsDone() async throws {
        let directory = try TemporaryDirectory()
        let node = try Self.node(directory)
        let channel = try await Self.connection(to: node)
        // Every `tip` verifier thread held, so no write finishes its preparation meanwhile (the
        // threads are the process's; the jobs ahead in their FIFO queue hold all of them).
        let gate = DispatchSemaphore(value: 0)
        let service = VerificationService(cache: SignatureCache())
        let holders = CoreBudget.machine.tipVerifiers
        for _ in 0..<holders { service.run(.tip) { gate.wait() } }
        let author = try TestNetwork.identity(3)
        let count = RPCConnectionHandler.maxPreparing + 6
        let lines = try (0..<count).map {
            let put = try TestNetwork.put("rpc/preparing/\($0)", "v", by: author)
            return #"{"jsonrpc":"2.0","id":\#($0),"method":"submit","params":{"tx":"\#(Hex.encode(put.encoded))"}}"#
        }
        try await channel.writeInbound(ByteBuffer(string: lines.joined(separator: "\n") + "\n"))
        let readWhileHeld = Self.reading(channel)
        for _ in 0..<holders { gate.signal() }
        #expect(!readWhileHeld, "the connection was still read with \(count) writes being prepared")
        // Once the threads are free every write is prepared and applied, in order, and the
        // connection is read again.
        let replies = try await Self.replies(count, from: channel)
        #expect(replies.map { $0["id"] as? Int } == Array(0..<count))
        #expect(replies.allSatisfy { ($0["result"] as? [String: Any])?["status"] as? String == "pending" })
        #expect(Self.reading(channel))
        _ = try await channel.finish()
        await node.shutdown()
    }

    @Test func aMalformedLineIsAnsweredAndTheConnectionGoesOn() async throws {
        let directory = try TemporaryDirectory()
        let node = try Self.node(directory)
        let channel = try await Self.connection(to: node)
        try await channel.writeInbound(ByteBuffer(string: "{not json\n" + #"{"jsonrpc":"2.0","id":7,"method":"status"}"# + "\n"))
        let replies = try await Self.replies(2, from: channel)
        #expect((replies[0]["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.parseError.rawValue)
        #expect(replies[1]["id"] as? Int == 7 && replies[1]["result"] != nil)
        #expect(channel.isActive)
        _ = try await channel.finish()
        await node.shutdown()
    }
}
