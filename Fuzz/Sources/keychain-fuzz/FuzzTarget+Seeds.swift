import Foundation
import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import KeyChainWire

extension FuzzTarget {
    /// Valid inputs to start from, made with the real encoders (`fuzz.sh seeds` writes them to
    /// `corpus/TARGET/`): the fuzzer mutates what parses, which reaches deeper than noise.
    func seeds() throws -> [[UInt8]] {
        switch self {
        case .frame:
            let frames = try Self.messages().map { Frame.encode($0, magic: FuzzFixture.magic) }
            return frames + [frames.flatMap { $0 }]
        case .message:
            return try Self.messages().compactMap { message in
                FuzzFixture.commands.firstIndex(of: message.command).map { [UInt8($0)] + message.payload }
            }
        case .transaction:
            return try Self.puts().map(\.encoded)
        case .signature:
            return try Self.signatureSeeds()
        case .block:
            return try [FuzzFixture.parameters.genesisBlock.encoded] + Self.blocks().map(\.encoded)
        case .apiLines:
            return [Array(Self.requests.joined(separator: "\n").utf8), Array(Self.requests.joined(separator: "\r\n").utf8) + [10]]
        case .apiRequest:
            return Self.requests.map { Array($0.utf8) }
        case .trackerHTTP:
            return Self.httpRequests.map { Array($0.utf8) }
        case .store:
            return [try Self.storeFiles()]
        }
    }

    private static func puts() throws -> [Transaction] {
        let alice = try TestNetwork.identity(0xA1)
        return [
            try TestNetwork.put("greeting", "hello", by: alice),
            try TestNetwork.put("greeting", "hello again", by: alice, expectedVersion: 1),
            try TestNetwork.put("config/\u{00E9}t\u{00E9}", String(repeating: "v", count: 300), by: try TestNetwork.identity(0xB0)),
        ]
    }

    private static func blocks() throws -> [Block] {
        let parameters = FuzzFixture.parameters
        let one = TestNetwork.mine(on: parameters.genesisBlock.header, transactions: try puts(), parameters: parameters)
        let two = TestNetwork.mine(on: one.header, transactions: [], parameters: parameters)
        return [one, two]
    }

    private static func messages() throws -> [Message] {
        let parameters = FuzzFixture.parameters
        let put = try puts()[0]
        let block = try blocks()[0]
        return [
            .version(VersionMessage(genesis: parameters.genesisHash, bestHeight: 9, listenPort: 7101, nodeID: 42, timestamp: TestNetwork.createdAt)),
            .verack, .ping(PingMessage(nonce: 7)), .pong(PongMessage(nonce: 7)),
            .getHeaders(GetHeadersMessage(locator: [block.hash, parameters.genesisHash], stop: .zero)),
            .headers(HeadersMessage(headers: [block.header, parameters.genesisBlock.header])),
            .inv(InvMessage([InventoryItem(.transaction, put.id), InventoryItem(.block, block.hash)])),
            .getData(GetDataMessage([InventoryItem(.block, block.hash), InventoryItem(.transaction, put.id)])),
            .notFound(NotFoundMessage([InventoryItem(.block, block.hash)])),
            .block(BlockMessage(block)), .tx(TransactionMessage(put)), .getAddr,
            .addr(AddrMessage([NetworkAddress(ipv4: 10, 1, 2, 3, port: 7101, lastSeen: 2),
                               NetworkAddress(ipv4: 127, 0, 0, 1, port: 7102, lastSeen: 3)])),
            .reject(RejectMessage(rejectedCommand: "tx", code: .duplicate, reason: "already have it", hash: put.id)),
            .sendCompact(SendCompactMessage(highBandwidth: true)),
            .compactBlock(CompactBlockMessage(block: block, nonce: 7, prefilling: [0])),
            .compactBlock(CompactBlockMessage(block: block, nonce: 8)),
            .getBlockTransactions(GetBlockTransactionsMessage(block: block.hash, indexes: [0, 2, 3])),
            .blockTransactions(BlockTransactionsMessage(block: block.hash, transactions: [put])),
            .reconcile(ReconcileMessage(salt: 7, shortIDs: [ReconcileMessage.shortID(of: put.id, hasher: ReconcileMessage.shortIDHasher(salt: 7)), 1])),
            .reconcileDifference(ReconcileDifferenceMessage(salt: 7, wanted: [1, 2], offered: [put.id])),
        ]
    }

    /// One request of every method, in the forms PROTOCOL.md shows, and a few hostile shapes.
    static let requests = [
        #"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":"greeting"}}"#,
        #"{"jsonrpc":"2.0","id":"a","method":"history","params":{"key":"greeting","limit":10}}"#,
        #"{"jsonrpc":"2.0","id":2,"method":"put","params":{"key":"greeting","value":"hello","expectedVersion":1}}"#,
        #"{"jsonrpc":"2.0","id":3,"method":"put","params":{"key":"k","value":"aGVsbG8=","encoding":"base64"}}"#,
        #"{"jsonrpc":"2.0","id":4,"method":"submit","params":{"tx":"00ff"}}"#,
        #"{"jsonrpc":"2.0","id":5,"method":"submit_batch","params":{"txs":["00ff","0102"]}}"#,
        #"{"jsonrpc":"2.0","id":6,"method":"tx","params":{"txid":"0000000000000000000000000000000000000000000000000000000000000000"}}"#,
        #"{"jsonrpc":"2.0","id":7,"method":"wait","params":{"txid":"00","depth":2,"timeoutMs":10}}"#,
        #"{"jsonrpc":"2.0","id":8,"method":"wait_all","params":{"txids":["00"],"depth":1,"timeoutMs":10}}"#,
        #"{"jsonrpc":"2.0","id":9,"method":"subscribe","params":{"txids":[],"tips":true}}"#,
        #"{"jsonrpc":"2.0","id":10,"method":"status"}"#,
        #"{"jsonrpc":"2.0","id":11,"method":"peers","params":{}}"#,
        #"{"jsonrpc":"2.0","id":12,"method":"block","params":{"height":1}}"#,
        #"{"jsonrpc":"2.0","id":13,"method":"keys","params":{"prefix":"config/","limit":5,"after":"config/a"}}"#,
        #"{"jsonrpc":"2.0","method":"get","params":{"key":"\u00e9\ud83d\ude00"}}"#,
        #"[{"jsonrpc":"2.0","id":1,"method":"get"}]"#,
        #"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}}"#,
        #"{"jsonrpc":"2.0","id":1e400,"method":"get","params":{"key":"k","key":"j"}}"#,
    ]

    /// One request of every tracker endpoint, and a malformed one.
    static let httpRequests: [String] = {
        let genesis = FuzzFixture.parameters.genesisHash.hex
        let announce = #"{"node":"a1b2c3d4e5f60718","genesis":"\#(genesis)","port":7101,"height":3,"best":"\#(genesis)","stopped":false}"#
        return [
            "GET /health HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /network HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /peers?n=5 HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n",
            "POST /announce HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(announce.utf8.count)\r\n\r\n\(announce)",
            "POST /announce HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"no\"\r\n0\r\n\r\nGET /health HTTP/1.1\r\n\r\n",
        ]
    }()

    /// A segment, block index and key index database of a three-block chain, joined.
    private static func storeFiles() throws -> [UInt8] {
        var files: [[UInt8]] = []
        try storeChain { directory in
            let blocks = (directory as NSString).appendingPathComponent("blocks")
            for path in [(blocks as NSString).appendingPathComponent("000000000.seg"), (blocks as NSString).appendingPathComponent("index"),
                         (directory as NSString).appendingPathComponent("keyindex.sqlite")] {
                files.append(Array(FileManager.default.contents(atPath: path) ?? Data()))
            }
        }
        return Array(files.joined(separator: FuzzFixture.separator))
    }

    /// Builds a three-block chain in a scratch directory and hands the closed directory to
    /// `inspect`.
    private static func storeChain(_ inspect: (String) throws -> Void) throws {
        let directory = try TemporaryDirectory(prefix: "keychain-fuzz-seed")
        let clock = ManualClock(start: TestNetwork.createdAt + 1_000_000)
        let store = try SegmentBlockStore(dataDirectory: directory.path, segmentSize: 1 << 20)
        let chain = try Blockchain(parameters: FuzzFixture.parameters, storage: store, clock: clock.function)
        let puts = try puts()
        try TestNetwork.extend(chain, blocks: 3, clock: clock) { height in height < puts.count ? [puts[height]] : [] }
        // A clean close leaves the key index in one file (its write-ahead log copied in).
        try chain.close()
        try inspect(directory.path)
    }
}
