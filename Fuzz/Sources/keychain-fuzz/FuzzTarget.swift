import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
@testable import KeyChainTracker
import KeyChainWire
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Prometheus

/// One fuzz target: a decoder that reads bytes from outside, and what every input must keep.
/// An input either decodes or fails with a typed error, never traps or hangs; what decodes
/// encodes back to bytes that decode to the same value, so a node relays what it accepted.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A peer connection's byte stream, cut into frames (`FrameDecoder`), in two reads.
    case frame
    /// One message payload, its command picked by the first byte (`Message.decode`).
    case message
    /// A transaction's encoding, and its signature checked against libsodium's answer.
    case transaction
    /// A key, a signature and a message on every verification path, against libsodium.
    case signature
    /// A block's encoding and its merkle root.
    case block
    /// The client socket's byte stream, cut into lines (`LineFrameDecoder`) in reads of
    /// varying size, each line parsed as a request.
    case apiLines = "api-lines"
    /// One request line: the fast path (`FlatRequest`) and the Codable path with each
    /// method's params.
    case apiRequest = "api-request"
    /// An HTTP/1 connection to the tracker, through the same pipeline the tracker runs.
    case trackerHTTP = "tracker-http"
    /// A data directory's files (a segment, the block index, the key index's database),
    /// opened and reconciled as at start-up, every indexed block read back, then the chain
    /// opened on them and every key it lists read.
    case store

    /// The longest API line the `api-lines` target accepts: small, so the fuzzer reaches the
    /// too-long path.
    static let maxLineLength = 512

    /// Runs one input.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .frame: Self.frames(bytes)
        case .message: Self.message(bytes)
        case .transaction: Self.transaction(bytes)
        case .signature: Self.signature(bytes)
        case .block: Self.block(bytes)
        case .apiLines: Self.apiLines(bytes)
        case .apiRequest: Self.apiRequest(bytes)
        case .trackerHTTP: Self.trackerHTTP(bytes)
        case .store: Self.store(bytes)
        }
    }

    // MARK: - Peer wire

    private static func frames(_ bytes: [UInt8]) {
        var decoder = FrameDecoder(magic: FuzzFixture.magic)
        let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        for part in [bytes[..<cut], bytes[cut...]] {
            decoder.append(part)
            for _ in 0..<10_000 {
                do {
                    guard let message = try decoder.next() else { break }
                    roundTrip(message)
                } catch {
                    return  // the stream is unusable after an error: the node closes it
                }
            }
        }
    }

    private static func message(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let commands = FuzzFixture.commands
        let command = commands[Int(first) % commands.count]
        if let message = try? Message.decode(command: command, payload: Array(bytes.dropFirst())) { roundTrip(message) }
    }

    private static func roundTrip(_ message: Message) {
        let again = try? Message.decode(command: message.command, payload: message.payload)
        precondition(again == message, "\(message.command) does not survive encode and decode")
    }

    private static func transaction(_ bytes: [UInt8]) {
        guard let transaction = try? Transaction(decoding: bytes) else { return }
        precondition((try? Transaction(decoding: transaction.encoded)) == transaction, "a transaction does not survive encode and decode")
        let oracle = Libsodium.verify(signature: transaction.signature.bytes, message: transaction.id.bytes, key: transaction.author.raw.bytes)
        precondition(transaction.hasValidSignature == oracle, "the node's verifier and libsodium disagree on a transaction's signature")
    }

    private static func block(_ bytes: [UInt8]) {
        guard let block = try? Block(decoding: bytes) else { return }
        precondition((try? Block(decoding: block.encoded)) == block, "a block does not survive encode and decode")
        _ = MerkleTree.root(block.transactions.map(\.id))
    }

    // MARK: - Client API

    private static func apiLines(_ bytes: [UInt8]) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLength: maxLineLength)))
        var offset = 0
        var piece = 1
        while offset < bytes.count {
            let length = min(piece, bytes.count - offset)
            do {
                try channel.writeInbound(channel.allocator.buffer(bytes: bytes[offset..<offset + length]))
            } catch {
                break
            }
            offset += length
            piece = Int(bytes[offset - 1] % 64) + 1
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)
        while let frame = try? channel.readInbound(as: LineFrame.self) {
            switch frame {
            case let .line(line):
                precondition(line.readableBytes <= maxLineLength, "a line longer than the limit came through")
                apiRequest(Array(line.readableBytesView))
            case let .tooLong(length):
                precondition(length > maxLineLength, "a line within the limit was reported too long")
            }
        }
    }

    private struct Params<P: Decodable>: Decodable { let params: P }

    private static func apiRequest(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { FlatRequest.parse($0) }
        let data = Data(bytes)
        let decoder = JSONDecoder()
        guard let head = try? decoder.decode(RPCRequestHead.self, from: data), let method = APIMethod(rawValue: head.method) else { return }
        switch method {
        case .put: _ = try? decoder.decode(Params<PutParams>.self, from: data)
        case .submit: _ = try? decoder.decode(Params<SubmitParams>.self, from: data)
        case .submitBatch: _ = try? decoder.decode(Params<SubmitBatchParams>.self, from: data)
        case .get, .history: _ = try? decoder.decode(Params<KeyParams>.self, from: data)
        case .tx: _ = try? decoder.decode(Params<TxParams>.self, from: data)
        case .wait: _ = try? decoder.decode(Params<WaitParams>.self, from: data)
        case .waitAll: _ = try? decoder.decode(Params<WaitAllParams>.self, from: data)
        case .subscribe: _ = try? decoder.decode(Params<SubscribeParams>.self, from: data)
        case .block: _ = try? decoder.decode(Params<BlockParams>.self, from: data)
        case .keys: _ = try? decoder.decode(Params<KeysParams>.self, from: data)
        case .status, .peers: break
        }
    }

    // MARK: - Tracker

    private static func trackerHTTP(_ bytes: [UInt8]) {
        let channel = EmbeddedChannel()
        do {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(TrackerHTTPHandler(server: FuzzFixture.tracker))
        } catch {
            preconditionFailure("the tracker pipeline did not assemble: \(error)")
        }
        _ = try? channel.writeInbound(channel.allocator.buffer(bytes: bytes))
        for _ in 0..<10_000 {
            guard let part = try? channel.readOutbound(as: IOData.self) else { break }
            _ = part
        }
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }

    // MARK: - Files

    private static func store(_ bytes: [UInt8]) {
        let files = FuzzFixture.split(bytes)
        let directory = FuzzFixture.storeDirectory
        let blocks = (directory as NSString).appendingPathComponent("blocks")
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.createDirectory(atPath: blocks, withIntermediateDirectories: true)
        let paths = [(blocks as NSString).appendingPathComponent("000000000.seg"),
                     (blocks as NSString).appendingPathComponent("index"),
                     (directory as NSString).appendingPathComponent("keyindex.sqlite")]
        for (path, contents) in zip(paths, files) { _ = FileManager.default.createFile(atPath: path, contents: Data(contents)) }
        guard let store = try? SegmentBlockStore(dataDirectory: directory, segmentSize: 1 << 20, logger: FuzzFixture.quiet) else { return }
        for entry in store.entries {
            if let block = try? store.block(entry.hash) {
                precondition(block.hash == entry.hash, "the store served a block under another block's hash")
            }
        }
        // The key index's database as found: the chain opens on it (replaying, rebuilding) or
        // refuses with an error; every key it lists reads back or fails with an error.
        guard let chain = try? Blockchain(parameters: FuzzFixture.parameters, storage: store, logger: FuzzFixture.quiet) else { return }
        let keys = (try? chain.keyIndex.keys(prefix: "", limit: 100)) ?? []
        for key in keys { _ = try? chain.keyIndex.versions(of: key) }
        chain.awaitKeyIndexWritten()
    }
}
